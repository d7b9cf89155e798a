/**
 * `tun`: tun/tap devices as the kernel reports them (IFLA_TUN_*). They are created by ioctl
 * (see `../../tuntap.ts`), so this module only lifts and prints their info-data.
 */
import { registerKind, bool, num, onOff } from './registry.js';

/** `Link.data` of a tun/tap device. */
export interface TuntapData {
  mode: 'tun' | 'tap' | undefined;
  /** Owner uid (`TUNSETOWNER`), undefined when none. */
  owner: number | undefined;
  /** Owner gid (`TUNSETGROUP`), undefined when none. */
  group: number | undefined;
  pi: boolean | undefined;
  vnetHdr: boolean | undefined;
  persist: boolean | undefined;
  multiQueue: boolean | undefined;
  numQueues: number | undefined;
  numDisabledQueues: number | undefined;
}

declare module '../spec.js' {
  interface LinkDataMap {
    tun: TuntapData;
  }
}

function typeName(v: unknown): 'tun' | 'tap' | undefined {
  const n = num(v);
  return n === 1 ? 'tun' : n === 2 ? 'tap' : undefined;
}

export const tunKind = registerKind({
  kind: 'tun',
  creatable: false,
  options: [],
  lift(d): TuntapData {
    return {
      mode: typeName(d['type']),
      owner: num(d['owner']),
      group: num(d['group']),
      pi: bool(d['pi']),
      vnetHdr: bool(d['vnet-hdr']),
      persist: bool(d['persist']),
      multiQueue: bool(d['multi-queue']),
      numQueues: num(d['num-queues']),
      numDisabledQueues: num(d['num-disabled-queues']),
    };
  },
  ipJson(d, ctx) {
    const o: Record<string, unknown> = {};
    const t = num(d['type']);
    if (t !== undefined) o.type = t === 1 ? 'tun' : t === 2 ? 'tap' : 'UNKNOWN';
    if (d['pi'] !== undefined) o.pi = bool(d['pi']);
    if (d['vnet-hdr'] !== undefined) o.vnet_hdr = bool(d['vnet-hdr']);
    if (d['multi-queue'] !== undefined) {
      const mq = bool(d['multi-queue']);
      o.multi_queue = mq;
      if (mq) {
        const q = num(d['num-queues']);
        if (q !== undefined) o.numqueues = q;
        const dq = num(d['num-disabled-queues']);
        if (dq !== undefined) o.numdisabled = dq;
      }
    }
    if (d['persist'] !== undefined) o.persist = bool(d['persist']);
    const uid = num(d['owner']);
    if (uid !== undefined) o.user = ctx.userName(uid) ?? uid;
    const gid = num(d['group']);
    if (gid !== undefined) o.group = ctx.groupName(gid) ?? gid;
    return o;
  },
  ipText(d, ctx) {
    const j = tunKind.ipJson!(d, ctx) ?? {};
    let s = '';
    for (const [k, v] of Object.entries(j)) {
      if (k === 'multi_queue') s += v ? 'multi_queue ' : '';
      else s += `${k} ${typeof v === 'boolean' ? onOff(v) : String(v)} `;
    }
    return s;
  },
});
