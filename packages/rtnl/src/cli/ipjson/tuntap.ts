/**
 * `ip [-j] [-d] tuntap show` output. iproute2 reads `/sys/class/net/NAME/tun_flags`, `owner` and
 * `group` (of the mount namespace, not necessarily the device's network namespace); we take the
 * same facts from the kernel's IFLA_TUN_* over netlink. Netlink does not report
 * `IFF_ONE_QUEUE` (ignored by the kernel), so `one_queue` is never printed.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { TuntapData } from '../../link/kinds/index.js';
import type { Link } from '../../link/link.js';

/** A process holding a queue of a tun/tap device (`-d`), as ip finds it in /proc. */
export interface TunProcess {
  name: string;
  pid: number;
}

/** One tun/tap device as `ip -j tuntap show` prints it (`processes` with -d). */
export function tuntapIpJson(link: Link, processes?: readonly TunProcess[]): Record<string, unknown> {
  const d = (link.data ?? {}) as Partial<TuntapData>;
  const flags: string[] = [];
  if (d.mode === 'tun') flags.push('tun');
  if (d.mode === 'tap') flags.push('tap');
  if (d.pi) flags.push('pi');
  if (d.multiQueue) flags.push('multi_queue');
  if (d.vnetHdr) flags.push('vnet_hdr');
  if (d.persist) flags.push('persist');
  // iproute2 prints "filter" when IFF_NOFILTER (0x1000) is clear; that bit is IFF_NO_PI's.
  if (d.pi) flags.push('filter');
  const o: Record<string, unknown> = { ifname: link.name, flags };
  if (d.owner !== undefined) o.user = d.owner;
  if (d.group !== undefined) o.group = d.group;
  // ip 6.1 writes each process as bare "name"/"pid" members inside the array (not valid
  // JSON); we print the same facts as objects. With none attached both print [].
  if (processes !== undefined) o.processes = processes.map((p) => ({ name: p.name, pid: p.pid }));
  return o;
}

/** The text form: `tap0: tap multi_queue vnet_hdr persist user 1 group 2` (+ processes with -d). */
export function tuntapText(link: Link, processes?: readonly TunProcess[]): string {
  const j = tuntapIpJson(link);
  let s = `${link.name}: ${(j.flags as string[]).join(' ')}`;
  if (j.user !== undefined) s += ` user ${j.user as number}`;
  if (j.group !== undefined) s += ` group ${j.group as number}`;
  if (processes !== undefined) s += `\n\tAttached to processes:${processes.map((p) => `${p.name}(${p.pid})`).join('')}`;
  return s;
}

/**
 * Processes with a `/dev/net/tun` fd attached to each device name, as iptuntap.c's
 * show_processes finds them: every `/proc/PID/fd/N` that links to /dev/net/tun and whose
 * fdinfo has `iff: NAME` (this process excluded). Like ip, it matches by name only.
 */
export function tunProcesses(): Map<string, TunProcess[]> {
  const out = new Map<string, TunProcess[]>();
  const numeric = (names: string[]) => names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  let pids: number[];
  try {
    pids = numeric(readdirSync('/proc'));
  } catch {
    return out;
  }
  for (const pid of pids) {
    if (pid === process.pid) continue;
    let fds: number[];
    try {
      fds = numeric(readdirSync(`/proc/${pid}/fd`));
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== '/dev/net/tun') continue;
        const iff = /^iff:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (iff === null) continue;
        const name = readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
        const list = out.get(iff[1]!) ?? [];
        list.push({ name, pid });
        out.set(iff[1]!, list);
      } catch {
        /* the fd or the process went away meanwhile */
      }
    }
  }
  return out;
}
