import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readStrace } from './strace.js';
import { CaptureError, type CapturedPacket } from './types.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1');
const linkShow = fixture('ip-link-show.strace');
const monitor = fixture('ip-monitor-unfinished.strace');

const u32 = (p: CapturedPacket): number => new DataView(p.bytes.buffer, p.bytes.byteOffset).getUint32(0, true);
const lineOf = (text: string, n: number): string => text.split('\n')[n - 1]!;

/** strace's own decoding on the call line must agree with the dumped bytes. */
function expectAgreesWithStrace(text: string, packets: CapturedPacket[]): void {
  for (const p of packets) {
    const line = lineOf(text, p.source.line!);
    // An <unfinished ...> call shows its decoded buffer on the resumed line.
    if (line.endsWith('<unfinished ...>')) continue;
    expect(line).toContain(`nlmsg_len=${u32(p)}`);
  }
}

describe('strace reader', () => {
  it('reads the sends and receives of `ip -j link show`, skipping the MSG_PEEK receives', () => {
    const { packets, errors } = readStrace(linkShow);
    expect(errors).toEqual([]);
    expect(packets.map((p) => [p.index, p.direction, p.bytes.length, p.protocol, p.portId])).toEqual([
      [0, 'to-kernel', 32, 0, 3961],
      [1, 'to-user', 52, 0, 3961],
      [2, 'to-kernel', 40, 0, 3961],
      [3, 'to-user', 1468, 0, 3961],
      [4, 'to-user', 20, 0, 3961],
    ]);
    expect([...packets[1]!.bytes.subarray(0, 20)]).toEqual([
      0x34, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x79, 0x0f, 0, 0, 0xed, 0xff, 0xff, 0xff,
    ]);
    expect(packets.every((p) => p.byteOrder === 'le' && p.time === undefined && p.truncated === undefined)).toBe(true);
    expectAgreesWithStrace(linkShow, packets);
    expect(packets[0]!.source).toEqual({ format: 'strace', offset: linkShow.indexOf('3961  sendto('), line: 2 });
  });

  it('joins <unfinished ...> and <... resumed> calls of one pid across other pids, with -ttt times', () => {
    const { packets, errors } = readStrace(monitor);
    expect(errors).toEqual([]);
    expect(packets).toHaveLength(10);
    expectAgreesWithStrace(monitor, packets);
    // The notification that woke `ip monitor` arrives between the other process's calls.
    const notification = packets[8]!;
    expect(notification.portId).toBe(4762);
    expect(notification.direction).toBe('to-user');
    expect(notification.bytes.length).toBe(1468);
    expect(notification.source.line).toBe(111); // where the call started
    expect(lineOf(monitor, 207)).toContain('<... recvmsg resumed>{msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=0x000001}, msg_namelen=12, msg_iov=[{iov_base=[{nlmsg_len=1468,');
    expect(u32(notification)).toBe(1468);
    expect(notification.time).toEqual({ sec: 1795637124, nsec: 434_709_000 });
    expect(packets.map((p) => p.portId)).toEqual([4762, 4762, 4762, 4763, 4763, 2669667972, 2669667972, 4763, 4762, 4763]);
    // The interrupted receive (= ? ERESTARTSYS) yields nothing.
    expect(packets.some((p) => p.source.line === 309)).toBe(false);
  });

  it('finds netlink sockets from traced socket() calls when fds carry no -yy annotation', () => {
    const plain = linkShow.replace(/<NETLINK:\[[^\]]*\]>/g, '');
    const { packets, errors } = readStrace(plain);
    expect(errors).toEqual([]);
    expect(packets.map((p) => p.bytes)).toEqual(readStrace(linkShow).packets.map((p) => p.bytes));
    expect(packets.every((p) => p.portId === undefined && p.protocol === 0)).toBe(true);
  });

  it('understands -X raw and -X verbose numbers for socket() and MSG_PEEK', () => {
    const raw = linkShow
      .replace(/<NETLINK:\[[^\]]*\]>/g, '')
      .replace('socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3', 'socket(0x10, 0x3|0x80000, 0x10)            = 3')
      .replace(/MSG_PEEK\|MSG_TRUNC\) =/g, '0x22) =');
    expect(raw).not.toContain('MSG_PEEK');
    const { packets } = readStrace(raw);
    expect(packets.map((p) => [p.bytes.length, p.protocol])).toEqual([
      [32, 16],
      [52, 16],
      [40, 16],
      [1468, 16],
      [20, 16],
    ]);
    const verbose = linkShow.replace(
      'socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)',
      'socket(0x10 /* AF_NETLINK */, 0x3 /* SOCK_RAW */|0x80000 /* SOCK_CLOEXEC */, 0xc /* NETLINK_NETFILTER */)',
    );
    expect(readStrace(verbose.replace(/<NETLINK:\[[^\]]*\]>/g, '')).packets.map((p) => p.protocol)).toEqual([12, 12, 12, 12, 12]);
  });

  it('takes the protocol from socket() when the fd annotation only has an inode', () => {
    const text = linkShow.replace('NETLINK_ROUTE', 'NETLINK_GENERIC').replace(/<NETLINK:\[ROUTE:3961\]>/g, '<NETLINK:[6728]>');
    const { packets } = readStrace(text);
    expect(packets.map((p) => p.protocol)).toEqual([16, 16, 16, 16, 16]);
  });

  it('reads the protocol named by the annotation', () => {
    const { packets } = readStrace(linkShow.replace(/ROUTE:3961/g, 'GENERIC:77'));
    expect(packets.map((p) => [p.protocol, p.portId])).toEqual(new Array(5).fill([16, 77]));
  });

  it('accepts unannotated buffers of unseen sockets only when they start with an nlmsghdr', () => {
    const noSocket = linkShow
      .replace(/<NETLINK:\[[^\]]*\]>/g, '')
      .split('\n')
      .filter((l) => !l.includes('socket('))
      .join('\n');
    const text = noSocket + '3961  sendto(5, "hello world, not netlink", 24, 0, NULL, 0) = 24\n | 00000  68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 6e 6f 74  hello world, not |\n | 00010  20 6e 65 74 6c 69 6e 6b                           netlink |\n';
    const { packets } = readStrace(text);
    expect(packets).toHaveLength(5);
  });

  it('skips sockets annotated as something other than netlink', () => {
    const { packets, errors } = readStrace(linkShow.replace(/NETLINK:\[ROUTE:3961\]/g, 'UNIX:[123->456]'));
    expect(packets).toEqual([]);
    expect(errors).toEqual([]); // their dump lines are not orphans
  });

  it('reports dump lines that follow no call', () => {
    const text = 'strace: Process 1 attached\n | 00000  14 00 00 00                                       ....             |\n';
    const { packets, errors } = readStrace(text);
    expect(packets).toEqual([]);
    expect(errors.map((e) => [e.code, e.line, e.message])).toEqual([['bad-dump', 2, 'line 2, column 1: dump line without a preceding send or receive call']]);
  });

  it('reads -tt times, lines without a pid, and joins the buffers of a multi-iovec sendmsg', () => {
    const text = [
      '10:20:30.000001 sendmsg(3<NETLINK:[ROUTE:99]>, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base={nlmsg_len=20, ...}, iov_len=16}, {iov_base=..., iov_len=4}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0) = 20',
      ' * 16 bytes in buffer 0',
      ' | 00000  14 00 00 00 12 00 01 03  01 00 00 00 00 00 00 00  ................ |',
      ' * 4 bytes in buffer 1',
      ' | 00000  11 00 00 00                                       ....             |',
      '',
    ].join('\n');
    const { packets, errors } = readStrace(text);
    expect(errors).toEqual([]);
    expect(packets).toHaveLength(1);
    expect(packets[0]!.bytes).toEqual(Uint8Array.of(0x14, 0, 0, 0, 0x12, 0, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0x11, 0, 0, 0));
    expect(packets[0]!.time).toEqual({ sec: 10 * 3600 + 20 * 60 + 30, nsec: 1000 });
    expect(packets[0]!.portId).toBe(99);
  });

  it('marks a receive whose return value exceeds the dumped bytes as truncated', () => {
    const text = [
      'recvmsg(3<NETLINK:[ROUTE:99]>, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base=..., iov_len=20}], msg_iovlen=1, msg_controllen=0, msg_flags=MSG_TRUNC}, MSG_TRUNC) = 40',
      ' * 20 bytes in buffer 0',
      ' | 00000  28 00 00 00 10 00 02 00  01 00 00 00 63 00 00 00  (...........c... |',
      ' | 00010  00 00 00 00                                       ....             |',
    ].join('\n');
    const [packet] = readStrace(text).packets;
    expect(packet!.truncated).toBe(true);
    expect(packet!.originalLength).toBe(40);
    expect(packet!.byteOrder).toBe('le');
  });

  it('reports a malformed dump line with its line and column, drops that call and reads the others', () => {
    const lines = linkShow.split('\n');
    expect(lines[11]).toMatch(/^ \| 00000  28 00 00 00 12/);
    lines[11] = lines[11]!.replace('28 00 00 00 12', '28 00 0g 00 12');
    const { packets, errors } = readStrace(lines.join('\n'));
    expect(packets.map((p) => p.index)).toEqual([0, 1, 3, 4]);
    expect(packets.map((p) => p.bytes.length)).toEqual([32, 52, 1468, 20]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CaptureError);
    expect(errors[0]!.code).toBe('bad-dump');
    expect(errors[0]!.packetIndex).toBe(2);
    expect([errors[0]!.line, errors[0]!.column]).toEqual([12, 17]);
    expect(errors[0]!.message).toBe("line 12, column 17: '0g' is not a dumped byte");
  });

  it('reports dump offsets that skip bytes', () => {
    const lines = linkShow.split('\n');
    lines[3] = lines[3]!.replace(' | 00010', ' | 00020');
    const { packets, errors } = readStrace(lines.join('\n'));
    expect(packets).toHaveLength(4);
    expect(errors[0]!.message).toContain('dump offset 00020 follows 16 bytes');
    expect(errors[0]!.line).toBe(4);
  });

  it('says how to run strace when netlink calls have no hex dumps', () => {
    const text = linkShow
      .split('\n')
      .filter((l) => !/^ [|*]/.test(l))
      .join('\n');
    const { packets, errors } = readStrace(text);
    expect(packets).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('line 2: 5 netlink send/receive call(s) have no hex dump (run strace with -e read=all -e write=all)');
  });

  it('reads CRLF line endings and bytes as well as text', () => {
    const { packets } = readStrace(new TextEncoder().encode(linkShow.replace(/\n/g, '\r\n')));
    expect(packets.map((p) => p.bytes)).toEqual(readStrace(linkShow).packets.map((p) => p.bytes));
  });
});
