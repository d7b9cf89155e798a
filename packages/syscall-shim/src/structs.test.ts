import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as K from './constants.js';
import { IFREQ_SIZE, Ifreq, LAYOUT, SOCKADDR_NL_SIZE, parseSockaddrNl, sockaddrNl } from './structs.js';

/** Constants compared with the C headers, by the name both sides use. */
const CONSTANTS = [
  'AF_UNSPEC', 'AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_PACKET',
  'SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_SEQPACKET', 'SOCK_NONBLOCK', 'SOCK_CLOEXEC',
  'NETLINK_ROUTE', 'NETLINK_SOCK_DIAG', 'NETLINK_NETFILTER', 'NETLINK_KOBJECT_UEVENT', 'NETLINK_GENERIC',
  'SOL_SOCKET', 'SOL_NETLINK',
  'NETLINK_ADD_MEMBERSHIP', 'NETLINK_DROP_MEMBERSHIP', 'NETLINK_PKTINFO', 'NETLINK_BROADCAST_ERROR',
  'NETLINK_NO_ENOBUFS', 'NETLINK_LISTEN_ALL_NSID', 'NETLINK_LIST_MEMBERSHIPS', 'NETLINK_CAP_ACK',
  'NETLINK_EXT_ACK', 'NETLINK_GET_STRICT_CHK',
  'SO_REUSEADDR', 'SO_TYPE', 'SO_ERROR', 'SO_SNDBUF', 'SO_RCVBUF', 'SO_PASSCRED', 'SO_RCVTIMEO',
  'SO_SNDTIMEO', 'SO_SNDBUFFORCE', 'SO_RCVBUFFORCE', 'SO_PROTOCOL', 'SO_DOMAIN',
  'MSG_OOB', 'MSG_PEEK', 'MSG_CTRUNC', 'MSG_TRUNC', 'MSG_DONTWAIT', 'MSG_EOR', 'MSG_WAITALL',
  'MSG_ERRQUEUE', 'MSG_NOSIGNAL', 'MSG_CMSG_CLOEXEC',
  'O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_EXCL', 'O_NOCTTY', 'O_TRUNC', 'O_APPEND',
  'O_NONBLOCK', 'O_DIRECTORY', 'O_NOFOLLOW', 'O_CLOEXEC', 'O_PATH',
  'F_DUPFD', 'F_GETFD', 'F_SETFD', 'F_GETFL', 'F_SETFL', 'F_DUPFD_CLOEXEC', 'FD_CLOEXEC',
  'CLONE_NEWTIME', 'CLONE_NEWNS', 'CLONE_NEWCGROUP', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWUSER',
  'CLONE_NEWPID', 'CLONE_NEWNET', 'IFNAMSIZ',
  'TUNSETNOCSUM', 'TUNSETDEBUG', 'TUNSETIFF', 'TUNSETPERSIST', 'TUNSETOWNER', 'TUNSETLINK', 'TUNSETGROUP',
  'TUNGETFEATURES', 'TUNSETOFFLOAD', 'TUNSETTXFILTER', 'TUNGETIFF', 'TUNGETSNDBUF', 'TUNSETSNDBUF',
  'TUNATTACHFILTER', 'TUNDETACHFILTER', 'TUNGETVNETHDRSZ', 'TUNSETVNETHDRSZ', 'TUNSETQUEUE',
  'TUNSETIFINDEX', 'TUNGETFILTER', 'TUNSETVNETLE', 'TUNGETVNETLE', 'TUNSETVNETBE', 'TUNGETVNETBE',
  'TUNSETSTEERINGEBPF', 'TUNSETFILTEREBPF', 'TUNSETCARRIER', 'TUNGETDEVNETNS',
  'IFF_TUN', 'IFF_TAP', 'IFF_NAPI', 'IFF_NAPI_FRAGS', 'IFF_NO_CARRIER', 'IFF_MULTI_QUEUE',
  'IFF_ATTACH_QUEUE', 'IFF_DETACH_QUEUE', 'IFF_PERSIST', 'IFF_NO_PI', 'IFF_ONE_QUEUE', 'IFF_VNET_HDR',
  'IFF_TUN_EXCL',
  'SIOCGIFNAME', 'SIOCGIFFLAGS', 'SIOCSIFFLAGS', 'SIOCGIFMTU', 'SIOCSIFMTU', 'SIOCSIFNAME',
  'SIOCSIFHWADDR', 'SIOCGIFHWADDR', 'SIOCGIFINDEX', 'SIOCGIFTXQLEN', 'SIOCSIFTXQLEN', 'SIOCBRADDBR',
  'SIOCBRDELBR', 'FIONREAD', 'FIONBIO',
] as const;

const C_SOURCE = `
#define _GNU_SOURCE
#include <stdio.h>
#include <stddef.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#define P(expr) printf("\\"%s\\": %lld,\\n", #expr, (long long)(expr))
#define L(type, member) printf("\\"%s.%s\\": %lld,\\n", #type, #member, (long long)offsetof(struct type, member))
int main(void) {
  printf("{\\n");
  P(sizeof(struct sockaddr_nl)); L(sockaddr_nl, nl_family); L(sockaddr_nl, nl_pid); L(sockaddr_nl, nl_groups);
  P(sizeof(struct iovec)); L(iovec, iov_base); L(iovec, iov_len);
  P(sizeof(struct msghdr)); L(msghdr, msg_name); L(msghdr, msg_namelen); L(msghdr, msg_iov);
  L(msghdr, msg_iovlen); L(msghdr, msg_control); L(msghdr, msg_controllen); L(msghdr, msg_flags);
  P(sizeof(struct ifreq)); L(ifreq, ifr_name); L(ifreq, ifr_flags); L(ifreq, ifr_ifindex);
  L(ifreq, ifr_mtu); L(ifreq, ifr_qlen); L(ifreq, ifr_hwaddr);
  ${CONSTANTS.map((n) => `P(${n});`).join('\n  ')}
  printf("\\"end\\": 0 }\\n");
  return 0;
}
`;

function compileAndRun(): Record<string, number> | string {
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-layout-'));
  cleanup.push(dir);
  const src = join(dir, 'layout.c');
  const exe = join(dir, 'layout');
  writeFileSync(src, C_SOURCE);
  try {
    execFileSync('cc', ['-O0', '-o', exe, src], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === 'ENOENT') return 'no C compiler (cc) on this machine';
    throw new Error(`compiling the layout probe failed: ${err.stderr?.toString() ?? String(e)}`);
  }
  return JSON.parse(execFileSync(exe, { encoding: 'utf8' })) as Record<string, number>;
}

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

describe('struct layouts and constants match the C headers', () => {
  const c = compileAndRun();
  const skip = typeof c === 'string';
  if (skip) console.warn(`skipping the C layout check: ${c}`);

  it.skipIf(skip)('sizes and member offsets of sockaddr_nl, iovec, msghdr and ifreq', () => {
    const C = c as Record<string, number>;
    expect(C['sizeof(struct sockaddr_nl)']).toBe(LAYOUT.sockaddr_nl.size);
    expect(C['sizeof(struct sockaddr_nl)']).toBe(SOCKADDR_NL_SIZE);
    for (const m of ['nl_family', 'nl_pid', 'nl_groups'] as const) expect(C[`sockaddr_nl.${m}`], m).toBe(LAYOUT.sockaddr_nl[m]);
    expect(C['sizeof(struct iovec)']).toBe(LAYOUT.iovec.size);
    for (const m of ['iov_base', 'iov_len'] as const) expect(C[`iovec.${m}`], m).toBe(LAYOUT.iovec[m]);
    expect(C['sizeof(struct msghdr)']).toBe(LAYOUT.msghdr.size);
    for (const m of ['msg_name', 'msg_namelen', 'msg_iov', 'msg_iovlen', 'msg_control', 'msg_controllen', 'msg_flags'] as const) {
      expect(C[`msghdr.${m}`], m).toBe(LAYOUT.msghdr[m]);
    }
    expect(C['sizeof(struct ifreq)']).toBe(LAYOUT.ifreq.size);
    expect(C['sizeof(struct ifreq)']).toBe(IFREQ_SIZE);
    for (const m of ['ifr_name', 'ifr_flags', 'ifr_ifindex', 'ifr_mtu', 'ifr_qlen', 'ifr_hwaddr'] as const) {
      expect(C[`ifreq.${m}`], m).toBe(LAYOUT.ifreq[m]);
    }
  });

  it.skipIf(skip)('every exported kernel constant has the header value', () => {
    const C = c as Record<string, number>;
    const mismatches = CONSTANTS.filter((n) => (K as Record<string, unknown>)[n] !== C[n])
      .map((n) => `${n}: ours ${String((K as Record<string, unknown>)[n])}, C ${C[n]}`);
    expect(mismatches).toEqual([]);
  });
});

describe('Ifreq', () => {
  it('lays out the name at 0 and ifr_flags as a little-endian u16 at 16', () => {
    const r = new Ifreq('tap0');
    r.flags = K.IFF_TAP | K.IFF_NO_PI | K.IFF_MULTI_QUEUE;
    expect(r.bytes.length).toBe(40);
    expect(Array.from(r.bytes.subarray(0, 5))).toEqual([0x74, 0x61, 0x70, 0x30, 0]);
    expect(r.bytes[16]).toBe(0x02);
    expect(r.bytes[17]).toBe(0x11);
    expect(r.name).toBe('tap0');
    expect(r.flags).toBe(0x1102);
  });

  it('reads the union as a signed int (ifindex, mtu)', () => {
    const r = new Ifreq('lo');
    r.int = -5;
    expect(r.int).toBe(-5);
    r.int = 65536;
    expect(Array.from(r.bytes.subarray(16, 20))).toEqual([0, 0, 1, 0]);
  });

  it('accepts a 15-byte name and rejects a 16-byte interface name before any system call', () => {
    expect(new Ifreq('a'.repeat(15)).name).toBe('a'.repeat(15));
    expect(() => new Ifreq('a'.repeat(16))).toThrow(RangeError);
    expect(() => new Ifreq('ééééééééé')).toThrow(/18 bytes/);
  });

  it('rejects a name with a NUL and out-of-range flags', () => {
    expect(() => new Ifreq('a\0b')).toThrow(RangeError);
    expect(() => {
      new Ifreq('x').flags = 0x10000;
    }).toThrow(RangeError);
  });

  it('renaming clears the rest of the old name', () => {
    const r = new Ifreq('longername0');
    r.name = 'ab';
    expect(Array.from(r.bytes.subarray(0, 16)).filter((b) => b !== 0).length).toBe(2);
    expect(r.name).toBe('ab');
  });

  it('wraps kernel-written bytes with Ifreq.from', () => {
    const bytes = new Uint8Array(40);
    bytes.set([0x74, 0x75, 0x6e, 0x37], 0);
    bytes[16] = 0x01;
    bytes[17] = 0x10;
    const r = Ifreq.from(bytes);
    expect(r.name).toBe('tun7');
    expect(r.flags).toBe(K.IFF_TUN | K.IFF_NO_PI);
    expect(() => Ifreq.from(new Uint8Array(39))).toThrow(RangeError);
  });
});

describe('sockaddr_nl', () => {
  it('builds and parses the 12-byte address', () => {
    const sa = sockaddrNl({ pid: 0x01020304, groups: 5 });
    expect(Array.from(sa)).toEqual([16, 0, 0, 0, 4, 3, 2, 1, 5, 0, 0, 0]);
    expect(parseSockaddrNl(sa)).toEqual({ family: 16, pid: 0x01020304, groups: 5 });
  });

  it('rejects a negative or fractional port id', () => {
    expect(() => sockaddrNl({ pid: -1 })).toThrow(/addr.pid/);
    expect(() => sockaddrNl({ groups: 1.5 })).toThrow(/addr.groups/);
  });
});

describe('struct helpers (properties)', () => {
  it('any name of at most 15 UTF-8 bytes without NUL round-trips through an ifreq, other bytes untouched', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 15 }), fc.integer({ min: 0, max: 0xffff }), (name, flags) => {
      fc.pre(!name.includes('\0') && new TextEncoder().encode(name).length <= 15);
      const r = new Ifreq(name);
      r.flags = flags;
      expect(r.name).toBe(name);
      expect(r.flags).toBe(flags);
      expect(Array.from(r.bytes.subarray(18))).toEqual(new Array(22).fill(0));
    }));
  });

  it('any name longer than 15 UTF-8 bytes is a RangeError', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (name) => {
      fc.pre(!name.includes('\0') && new TextEncoder().encode(name).length > 15);
      expect(() => new Ifreq(name)).toThrow(RangeError);
    }));
  });

  it('any port id and groups round-trip through a sockaddr_nl', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (pid, groups) => {
      expect(parseSockaddrNl(sockaddrNl({ pid, groups }))).toEqual({ family: K.AF_NETLINK, pid, groups });
    }));
  });
});
