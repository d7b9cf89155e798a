/**
 * addrList / routeList / neighList lift through `mapRaw`: the same objects as the generic
 * path, non-NEW messages skipped, cloned routes dropped, and the filters a `strict: false`
 * handle must apply itself (the kernel ignores them without strict checking).
 */
import { decode, encode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { addrFromMessage } from '../addr.js';
import { Handle } from '../handle.js';
import { neighFromMessage } from '../neigh.js';
import { routeFromMessage } from '../route.js';
import { FakeKernel } from '../test-support/fake-kernel.js';

const hdr = (type: string) => ({ type, flags: ['multi'], seq: 0, pid: 0 });
const addr = (index: number, ip: string): Message => ({ header: hdr('RTM_NEWADDR'), 'ifa-family': 2, 'ifa-prefixlen': 24, 'ifa-flags': ['permanent'], 'ifa-scope': 0, 'ifa-index': index, attrs: { address: ip, local: ip, label: `v${index}` } });
const route = (dst: string, table: number, oif: number, protocol: number, type: string, flags = 0): Message => ({
  header: hdr('RTM_NEWROUTE'), 'rtm-family': 2, 'rtm-dst-len': 24, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-table': table > 255 ? 0 : table, 'rtm-protocol': protocol, 'rtm-scope': 0, 'rtm-type': type, 'rtm-flags': flags,
  attrs: { table, dst, gateway: '198.18.0.2', oif },
});
const neigh = (index: number, ip: string, master?: number): Message => ({ header: hdr('RTM_NEWNEIGH'), 'ndm-family': 2, 'ndm-ifindex': index, 'ndm-state': ['reachable'], 'ndm-flags': [], 'ndm-type': 'unicast', attrs: master === undefined ? { dst: ip, lladdr: '02:00:00:00:00:01' } : { dst: ip, master } });

const ADDRS = [addr(2, '192.0.2.1'), addr(3, '198.51.100.1'), { ...addr(2, '192.0.2.9'), header: hdr('RTM_DELADDR') }];
const ROUTES = [
  route('192.0.2.0', 254, 2, 3, 'unicast'),
  route('198.51.100.0', 1000, 3, 4, 'unicast'),
  route('203.0.113.0', 254, 3, 186, 'blackhole'),
  route('203.0.113.128', 254, 2, 3, 'unicast', 0x200), // cloned: never listed
];
const NEIGHS = [neigh(2, '192.0.2.7'), neigh(3, '198.51.100.7', 9), neigh(3, '198.51.100.8')];

/** A kernel that answers every dump with the messages of its type and DONE, ignoring the filters. */
function ignoringKernel(): FakeKernel {
  return new FakeKernel((req, k) => {
    const type = req[4]! | (req[5]! << 8);
    const seq = new DataView(req.buffer, req.byteOffset).getUint32(8, true);
    const msgs = type === 22 ? ADDRS : type === 26 ? ROUTES : type === 30 ? NEIGHS : [];
    const body = encode(msgs.map((m) => ({ ...m, header: { ...m.header, seq, pid: k.portId } })));
    const done = new Uint8Array(20);
    const v = new DataView(done.buffer);
    v.setUint32(0, 20, true);
    v.setUint16(4, 3, true);
    v.setUint16(6, 2, true);
    v.setUint32(8, seq, true);
    v.setUint32(12, k.portId, true);
    const d = new Uint8Array(body.length + 20);
    d.set(body);
    d.set(done, body.length);
    k.push({ bytes: d });
  });
}

const generic = <T>(msgs: Message[], lift: (m: Message) => T): T[] => msgs.map((m) => lift(decode(encode(m))[0]!));

describe('list operations lift through mapRaw', () => {
  it('addrList gives the generic objects, skipping RTM_DELADDR; a non-strict handle filters by link itself', async () => {
    const h = Handle.open({ transport: ignoringKernel(), strict: false });
    try {
      expect(await h.addrList()).toStrictEqual(generic(ADDRS.slice(0, 2), addrFromMessage));
      expect(await h.addrList(3)).toStrictEqual(generic([ADDRS[1]!], addrFromMessage));
    } finally {
      h.close();
    }
  });

  it('routeList gives the generic objects without cloned routes; a non-strict handle filters table, link, protocol and type itself', async () => {
    const h = Handle.open({ transport: ignoringKernel(), strict: false });
    try {
      expect(await h.routeList({ table: 'all' })).toStrictEqual(generic(ROUTES.slice(0, 3), routeFromMessage));
      expect(await h.routeList()).toStrictEqual(generic([ROUTES[0]!, ROUTES[2]!], routeFromMessage));
      expect(await h.routeList({ table: 1000 })).toStrictEqual(generic([ROUTES[1]!], routeFromMessage));
      expect(await h.routeList({ table: 'all', link: 3 })).toStrictEqual(generic([ROUTES[1]!, ROUTES[2]!], routeFromMessage));
      expect(await h.routeList({ table: 'all', protocol: 'bgp' })).toStrictEqual(generic([ROUTES[2]!], routeFromMessage));
      expect(await h.routeList({ table: 'all', type: 'blackhole' })).toStrictEqual(generic([ROUTES[2]!], routeFromMessage));
    } finally {
      h.close();
    }
  });

  it('neighList gives the generic objects; a non-strict handle filters by link and master itself', async () => {
    const h = Handle.open({ transport: ignoringKernel(), strict: false });
    try {
      expect(await h.neighList()).toStrictEqual(generic(NEIGHS, neighFromMessage));
      expect(await h.neighList({ link: 3 })).toStrictEqual(generic(NEIGHS.slice(1), neighFromMessage));
      expect(await h.neighList({ master: 9 })).toStrictEqual(generic([NEIGHS[1]!], neighFromMessage));
    } finally {
      h.close();
    }
  });

  it('a strict handle leaves the filtering to the kernel (only cloned routes are dropped here)', async () => {
    const h = Handle.open({ transport: ignoringKernel() });
    try {
      expect(await h.addrList(3)).toHaveLength(2);
      expect(await h.routeList({ table: 1000 })).toHaveLength(3);
    } finally {
      h.close();
    }
  });
});
