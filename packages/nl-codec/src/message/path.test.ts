import { describe, expect, it } from 'vitest';
import { decode } from './decode.js';
import { encode } from './encode.js';
import type { ErrorMessage } from './message.js';
import { attributePath } from './path.js';

// RTM_NEWLINK: nlmsghdr (16) + ifinfomsg (16), then ifname 'x' (8 bytes with padding) at 32,
// mtu at 40, linkinfo at 48: kind "vxlan\0" at 52 (12 bytes), data at 64 holding id at 68.
const request = encode({
  header: { type: 'RTM_NEWLINK', flags: ['request', 'ack', 'create', 'excl'], seq: 5 },
  attrs: { ifname: 'x', mtu: 70000, linkinfo: { kind: 'vxlan', data: { id: 42 } } },
});

describe('attributePath', () => {
  it('names the attribute at an ext-ack offset counted from the request header', () => {
    expect(attributePath(request, 32)).toBe('.ifname');
    expect(attributePath(request, 40)).toBe('.mtu');
    expect(attributePath(request, 48)).toBe('.linkinfo');
    expect(attributePath(request, 64)).toBe('.linkinfo.data');
    expect(attributePath(request, 68)).toBe('.linkinfo.data.id');
  });

  it('gives undefined for offsets in the headers or outside the request', () => {
    expect(attributePath(request, 0)).toBeUndefined();
    expect(attributePath(request, 20)).toBeUndefined();
    expect(attributePath(request, request.length)).toBeUndefined();
    expect(attributePath(request, -1)).toBeUndefined();
    expect(attributePath(new Uint8Array(4), 0)).toBeUndefined();
  });

  it('resolves the path of an error that echoes the whole request, not of a capped one', () => {
    const full = decode(
      encode({ header: { type: 'NLMSG_ERROR', flags: ['ack_tlvs'] }, error: -34, request: decode(request)[0]!, attrs: { msg: 'bad', offs: 68 } }),
    )[0] as ErrorMessage;
    expect(full.attributePath).toBe('.linkinfo.data.id');
    expect(full.errno).toBe('ERANGE');
    const capped = decode(
      encode({
        header: { type: 'NLMSG_ERROR', flags: ['capped', 'ack_tlvs'] },
        error: -34,
        request: { header: { type: 'RTM_NEWLINK', flags: ['request'], seq: 5, pid: 0, length: request.length } },
        attrs: { msg: 'bad', offs: 68 },
      }),
    )[0] as ErrorMessage;
    expect(capped.attributePath).toBeUndefined();
    expect(attributePath(request, capped.attrs!.offs!)).toBe('.linkinfo.data.id');
  });
});
