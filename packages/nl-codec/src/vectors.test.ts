// Golden tests against real traffic between iproute2 and the kernel (../shared/vectors).
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  fromHex,
  fromJSON,
  messageTypeNumber,
  toHex,
  toJSON,
  type ErrorMessage,
  type Message,
} from './index.js';
import { datagrams, loadVectors, type VectorOp } from './test-support/vectors.js';

const ops = loadVectors();
const dgrams = datagrams(ops);

function op(name: string): VectorOp {
  const found = ops.find((o) => o.name === name);
  if (found === undefined) throw new Error(`no vector named ${name}`);
  return found;
}

function decodedOf(name: string): Message[] {
  return datagrams([op(name)]).flatMap((d) => decode(d.bytes));
}

function errorsOf(name: string): ErrorMessage[] {
  return decodedOf(name).filter(
    (m): m is ErrorMessage => m.header.type === 'NLMSG_ERROR' && (m as ErrorMessage).error !== 0,
  );
}

describe('iproute2 vectors', () => {
  it('has the operations and messages the README describes', () => {
    expect(ops.length).toBe(85);
    expect(ops.reduce((n, o) => n + o.messages.length, 0)).toBe(456);
  });

  it.each(dgrams.map((d) => [`${d.op.name} #${d.dgram} (${d.dir})`, d] as const))(
    'decodes and re-encodes datagram %s byte-exact',
    (_label, d) => {
      const messages = decode(d.bytes);
      expect(messages.length).toBe(d.messages.length);
      for (let i = 0; i < messages.length; i++) {
        const raw = fromHex(d.messages[i]!.hex);
        const type = raw[4]! | (raw[5]! << 8);
        const header = messages[i]!.header;
        expect(messageTypeNumber(header.type)).toBe(type);
        expect(header.seq).toBe((raw[8]! | (raw[9]! << 8) | (raw[10]! << 16) | (raw[11]! << 24)) >>> 0);
        // Messages of the families the specs describe (link, addr, route, neigh) are decoded,
        // not kept as raw payload.
        if (type >= 16 && type < 32) expect(messages[i]).not.toHaveProperty('payload');
      }
      const last = messages[messages.length - 1]!;
      const trailing = d.messages[d.messages.length - 1]!.trailing_hex;
      if (trailing !== undefined) expect(toHex(last.trailing!)).toBe(trailing);
      else expect(last.trailing).toBeUndefined();
      expect(toHex(encode(messages))).toBe(toHex(d.bytes));
    },
  );

  it.each(dgrams.map((d) => [`${d.op.name} #${d.dgram}`, d] as const))(
    'survives a JSON round trip for datagram %s',
    (_label, d) => {
      const messages = decode(d.bytes);
      const back = fromJSON(JSON.parse(JSON.stringify(toJSON(messages)))) as Message[];
      expect(back).toEqual(messages);
      expect(toHex(encode(back))).toBe(toHex(d.bytes));
    },
  );

  it('finds every message again in all datagrams written back to back (stream mode)', () => {
    const all = new Uint8Array(dgrams.reduce((n, d) => n + d.bytes.length, 0));
    let off = 0;
    for (const d of dgrams) {
      all.set(d.bytes, off);
      off += d.bytes.length;
    }
    const messages = decode(all, { stream: true });
    expect(messages.length).toBe(456);
    const hexes = ops.flatMap((o) => o.messages.map((m) => m.hex));
    expect(messages.map((m) => toHex(encode({ ...m, trailing: undefined })))).toEqual(hexes);
    expect(messages.filter((m) => m.trailing !== undefined).length).toBe(
      ops.flatMap((o) => o.messages).filter((m) => m.trailing_hex !== undefined).length,
    );
    expect(toHex(encode(messages))).toBe(toHex(all));
  });

  it('decodes each message on its own as exactly one message', () => {
    for (const o of ops) {
      for (const m of o.messages) {
        const msgs = decode(fromHex(m.hex));
        expect(msgs.length).toBe(1);
        expect(toHex(encode(msgs))).toBe(m.hex);
      }
    }
  });
});

// ip -j names flags after the kernel's IFF_* without underscores in some (POINTOPOINT,
// NOARP, ...): compare with all separators removed. ip shows NO-CARRIER/M-DOWN, which are
// not flags, and hides RUNNING.
const normFlag = (f: string): string => f.replace(/[-_]/g, '').toUpperCase();
const OPERSTATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate?: string;
  address?: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}

describe('RTM_NEWLINK replies agree with ip -j', () => {
  // Operations that do not change the links, so the kernel's replies during the command
  // describe the state `ip -j -d link show` printed afterwards.
  const newlinkReplies = (o: VectorOp): Message[] =>
    datagrams([o])
      .filter((d) => d.dir === 'recv')
      .flatMap((d) => decode(d.bytes))
      .filter((m) => m.header.type === 'RTM_NEWLINK');
  const stable = ops.filter(
    (o) =>
      o.group === 'link' &&
      (o.name.startsWith('link_show') || o.name.startsWith('link_err')) &&
      Array.isArray(o.ip_json) &&
      newlinkReplies(o).length > 0,
  );

  it('covers several operations and links', () => {
    const count = stable.flatMap(newlinkReplies).length;
    expect(stable.length).toBeGreaterThanOrEqual(5);
    expect(count).toBeGreaterThanOrEqual(10);
  });

  it.each(stable.map((o) => [o.name, o] as const))('%s', (_name, o) => {
    const links = o.ip_json as IpLink[];
    const byIndex = new Map(links.map((l) => [l.ifindex, l]));
    const replies = newlinkReplies(o);
    for (const m of replies) {
      const index = m['ifi-index'] as number;
      const ip = byIndex.get(index);
      expect(ip, `ifindex ${index} in ip_json`).toBeDefined();
      const attrs = m.attrs as Record<string, unknown>;
      expect(attrs.ifname).toBe(ip!.ifname);
      expect(attrs.mtu).toBe(ip!.mtu);
      if (ip!.address !== undefined) expect(attrs.address).toBe(ip!.address);
      if (ip!.operstate !== undefined) {
        const op = attrs.operstate;
        expect(typeof op === 'number' ? OPERSTATES[op] : String(op).toUpperCase()).toBe(ip!.operstate);
      }
      if (ip!.linkinfo?.info_kind !== undefined) {
        expect((attrs.linkinfo as Record<string, unknown>).kind).toBe(ip!.linkinfo.info_kind);
      }
      if (ip!.master !== undefined) {
        expect(links.find((l) => l.ifindex === attrs.master)?.ifname).toBe(ip!.master);
      } else {
        expect(attrs.master).toBeUndefined();
      }
      const decodedFlags = (m['ifi-flags'] as Array<string | number>)
        .filter((f): f is string => typeof f === 'string' && f !== 'running')
        .map(normFlag)
        .sort();
      const ipFlags = ip!.flags.filter((f) => f !== 'NO-CARRIER' && f !== 'M-DOWN').map(normFlag).sort();
      expect(decodedFlags).toEqual(ipFlags);
    }
  });
});

describe('errors in the vectors', () => {
  it('names the errno of every error and keeps the negative number', () => {
    const seen = new Set<string>();
    for (const o of ops) {
      for (const e of errorsOf(o.name)) {
        expect(e.error).toBeLessThan(0);
        expect(typeof e.errno).toBe('string');
        seen.add(e.errno!);
      }
    }
    for (const name of ['EEXIST', 'ENODEV', 'EINVAL', 'ERANGE', 'ESRCH', 'ENOENT', 'EADDRNOTAVAIL']) {
      expect(seen).toContain(name);
    }
  });

  it('decodes the capability probe: -ENODEV with the whole request echoed', () => {
    const [probe] = errorsOf('link_add_bridge');
    expect(probe!.errno).toBe('ENODEV');
    expect(probe!.error).toBe(-19);
    expect(probe!.header.flags).toEqual([]);
    expect(probe!.request!.header).toEqual({ type: 'RTM_NEWLINK', flags: ['request', 'ack'], seq: 0, pid: 0 });
    expect(probe!.request!['ifi-index']).toBe(0);
  });

  it('decodes an ACK as error 0 with the capped request header and its length', () => {
    const acks = decodedOf('link_add_bridge').filter((m) => m.header.type === 'NLMSG_ERROR' && m.error === 0);
    expect(acks.length).toBe(1);
    const ack = acks[0] as ErrorMessage;
    expect(ack.header.flags).toEqual(['capped']);
    expect(ack.errno).toBeUndefined();
    expect(ack.request).toEqual({
      header: { type: 'RTM_NEWLINK', flags: ['request', 'ack', 'excl', 'create'], seq: ack.header.seq, pid: 0, length: 56 },
    });
  });

  it('resolves the ext-ack offset of the ERANGE error to the attribute path', () => {
    const [e] = errorsOf('link_err_gso_max_size_range').filter((x) => x.errno !== 'ENODEV');
    expect(e!.errno).toBe('ERANGE');
    expect(e!.header.flags).toEqual(['ack_tlvs']);
    expect(e!.attrs!.msg).toBe('integer out of range');
    expect(e!.attrs!.offs).toBe(32);
    expect(e!.attrs!.policy).toBeTypeOf('object');
    expect(e!.attributePath).toBe('.gso-max-size');
  });

  it('keeps the kernel message of errors without an offset', () => {
    const [e] = errorsOf('link_err_mtu_too_big').filter((x) => x.errno === 'EINVAL');
    expect(e!.attrs!.msg).toBe('mtu greater than device maximum');
    expect(e!.attributePath).toBeUndefined();
    const [a] = errorsOf('addr_err_eexist');
    expect(a!.errno).toBe('EEXIST');
    expect(a!.attrs!.msg).toBe('ipv4: Address already assigned');
    expect(a!.request!.header.type).toBe('RTM_NEWADDR');
  });

  it('decodes the dump terminator as NLMSG_DONE with error 0', () => {
    const done = decodedOf('link_show_dump').filter((m) => m.header.type === 'NLMSG_DONE');
    expect(done.length).toBe(1);
    expect(done[0]).toMatchObject({ error: 0 });
    expect(done[0]!.header.flags).toContain('multi');
  });

  it('names dump request flags and keeps the trailing struct bytes of iproute2 requests', () => {
    const sent = datagrams([op('addr_show_dump')]).filter((d) => d.dir === 'send');
    const withTrailing = sent.map((d) => decode(d.bytes)).find((ms) => ms[ms.length - 1]!.trailing !== undefined);
    expect(withTrailing).toBeDefined();
    const req = withTrailing![0]!;
    expect(req.header.type).toBe('RTM_GETADDR');
    expect(req.header.flags).toEqual(['request', 'dump']);
    expect(req.trailing!.length).toBeGreaterThanOrEqual(120);
  });
});
