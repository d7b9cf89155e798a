/**
 * @nlkit/rtnl: Linux rtnetlink operations for Node, named as in Go's vishvananda/netlink.
 *
 * @example
 * ```ts
 * import { Handle, netns } from '@nlkit/rtnl';
 * const ns = netns.create();
 * const h = Handle.open({ netns: ns });
 * try {
 *   const br = await h.linkAdd({ kind: 'bridge', name: 'br0', mtu: 9001 });
 *   await h.linkSetUp(br);
 * } finally {
 *   h.close();
 *   ns.close();
 * }
 * ```
 */
export { Handle, getDefaultHandle, closeDefaultHandle, type HandleOptions } from './handle.js';
export { NetNs, netns, type NetnsRef } from './netns.js';
export {
  NetlinkError,
  DumpInterruptedError,
  OverrunError,
  TruncatedReplyError,
  HandleClosedError,
  type ExtAckInfo,
} from './errors.js';
export type { EngineStats, RequestOptions } from './conn/engine.js';
export * from './link/index.js';
export * from './events.js';
export * from './addr.js';
export * from './route.js';
export * from './neigh.js';
export { parseIP, parseCIDR, parseMAC, formatIP, type Family, type FamilyArg, type Scope, type ParsedIP, type ParsedCIDR } from './ip.js';
export * from './batch.js';
export * from './streams.js';
