/**
 * Event subscription: `handle.subscribe({ groups })` joins rtnetlink multicast groups on a
 * socket of its own (in the handle's namespace) and yields typed events: links, addresses,
 * routes and neighbours lifted by the same functions the list operations use, anything else as
 * the decoded message, and `overrun` whenever notifications were lost.
 *
 * The reading machine (bounded queue, back-pressure, event-loop references) is in
 * `events/subscription.ts`; the group table in `events/groups.ts`.
 */
import type { Message } from '@nlkit/nl-codec';
import { Handle, getDefaultHandle } from './handle.js';
import { HandleClosedError } from './errors.js';
import { SocketTransport } from './conn/socket-transport.js';
import type { Transport } from './conn/transport.js';
import { DEFAULT_EVENT_GROUPS, resolveGroups, type EventGroup } from './events/groups.js';
import { Subscription, type ListedEvent, type OverrunEvent } from './events/subscription.js';
import { AF_INET, AF_INET6, AF_UNSPEC } from './ip.js';
import { ifinfoRequest } from './link/message.js';
import { linkFromMessage, type Link } from './link/index.js';
import { addrDumpMessage, addrFromMessage, type Addr } from './addr.js';
import { routeDumpMessage, routeFromMessage, type Route } from './route.js';
import { neighDumpMessage, neighFromMessage, type Neigh } from './neigh.js';
import { RTNLGRP } from './events/groups.js';

export { RTNLGRP, DEFAULT_EVENT_GROUPS, type EventGroup, type EventGroupName } from './events/groups.js';
export { Subscription, type ListedEvent, type OverrunEvent, type SubscriptionStats } from './events/subscription.js';

/** A link appeared or changed (`newlink`), or was deleted (`dellink`). */
export interface LinkEvent {
  type: 'newlink' | 'dellink';
  link: Link;
  /** The decoded notification, for anything `link` does not lift. */
  message: Message;
}

/** An address was added or changed (`newaddr`), or removed (`deladdr`). */
export interface AddrEvent {
  type: 'newaddr' | 'deladdr';
  addr: Addr;
  message: Message;
}

/** A route was added or replaced (`newroute`), or removed (`delroute`). */
export interface RouteEvent {
  type: 'newroute' | 'delroute';
  route: Route;
  message: Message;
}

/** A neighbour (ARP/ND entry, or bridge FDB entry) was added or changed, or removed. */
export interface NeighEvent {
  type: 'newneigh' | 'delneigh';
  neigh: Neigh;
  message: Message;
}

/**
 * A notification this package lifts into no object (rules, netconf, nsid, prefixes, ...,
 * whatever the groups you joined carry): the decoded message as the codec gives it.
 */
export interface OtherEvent {
  type: 'other';
  message: Message;
}

/** Everything a subscription yields. Switch on `type`. */
export type RtnlEvent = LinkEvent | AddrEvent | RouteEvent | NeighEvent | OtherEvent | OverrunEvent | ListedEvent;

export interface SubscribeOptions {
  /**
   * Multicast groups to join, by name (`'link'`, `'neigh'`, `'ipv4-ifaddr'`, `'ipv6-ifaddr'`,
   * `'ipv4-route'`, `'ipv6-route'`, `'ipv4-rule'`, `'nsid'`, `'ipv4-netconf'`, ... see `RTNLGRP`)
   * or by `RTNLGRP_*` number. Default: links, IPv4/IPv6 addresses and routes, neighbours.
   */
  groups?: EventGroup[];
  /**
   * Kernel receive buffer of the subscription's socket in bytes (`SO_RCVBUFFORCE`, falling back
   * to `SO_RCVBUF`, which `net.core.rmem_max` caps). The kernel doubles the value and enforces a
   * minimum. Default: the handle's `recvBufferSize`, else the kernel's (`net.core.rmem_default`).
   */
  recvBufferSize?: number;
  /**
   * Most events held in memory before reads stop and the kernel's buffer takes the slack
   * (default 1024; one datagram's events may go past it). Loss beyond both is an `overrun`.
   */
  queueSize?: number;
  /**
   * First deliver what exists now, as Go's `ListExisting`: the links, addresses, routes (all
   * tables) and neighbours of the joined groups, as `newlink`/`newaddr`/`newroute`/`newneigh`
   * events, followed by one `{ type: 'listed' }`; changes come after. The dumps run on the
   * subscription's own socket, so no change between listing and listening is missed (a
   * change during the listing may be seen twice, which state-keeping consumers absorb).
   * Other groups (rules, netconf, ...) are not listed. Default false.
   */
  listExisting?: boolean;
  /** Aborting ends the subscription: a pending or the next `next()` rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** @internal a transport to use instead of a real socket (tests). */
  transport?: Transport;
}

/** Default bound of a subscription's event queue. */
export const DEFAULT_EVENT_QUEUE_SIZE = 1024;

declare module './handle.js' {
  interface Handle {
    /**
     * Subscribe to rtnetlink notifications, like `ip monitor` or Go's `LinkSubscribe` & co.
     *
     * The subscription has its own socket in the handle's namespace; membership is in place
     * when this returns, so changes made afterwards are seen. It parks no thread and keeps the
     * process alive only while a `next()` is waiting. Only the kernel's messages are accepted
     * (others are counted in `stats.foreignDropped`).
     *
     * Lost notifications are never silent: a receive-buffer overflow (`ENOBUFS`) arrives as
     * `{ type: 'overrun' }`, after which your view is stale: list again (`linkList()`, ...).
     * The subscription keeps working. Notifications already queued before the overflow may
     * still follow the overrun event, so re-list once the backlog is drained, as `ip` does.
     *
     * `break`, `close()`, the `signal`, or closing the handle ends it and closes its socket.
     *
     * @example
     * ```ts
     * const h = Handle.open();
     * const ac = new AbortController();
     * for await (const ev of h.subscribe({ groups: ['link', 'ipv4-ifaddr'], signal: ac.signal })) {
     *   switch (ev.type) {
     *     case 'newlink': console.log('link', ev.link.name, ev.link.operState); break;
     *     case 'dellink': console.log('gone', ev.link.name); break;
     *     case 'newaddr': console.log('address', ev.addr.address); break;
     *     case 'overrun': await resync(); break; // events were lost: list again
     *   }
     * }
     * ```
     */
    subscribe(options?: SubscribeOptions): Subscription<RtnlEvent>;
  }
}

/** Subscriptions of each handle, closed with it. */
const live = new WeakMap<Handle, Set<Subscription<RtnlEvent>>>();

Handle.prototype.subscribe = function (this: Handle, options: SubscribeOptions = {}): Subscription<RtnlEvent> {
  if (options === null || typeof options !== 'object') throw new TypeError('subscribe options must be an object');
  const groups = resolveGroups(options.groups ?? DEFAULT_EVENT_GROUPS);
  const { recvBufferSize, queueSize = DEFAULT_EVENT_QUEUE_SIZE, signal } = options;
  if (recvBufferSize !== undefined && (!Number.isInteger(recvBufferSize) || recvBufferSize <= 0)) {
    throw new RangeError(`recvBufferSize must be a positive integer, got ${recvBufferSize}`);
  }
  if (!Number.isInteger(queueSize) || queueSize <= 0) {
    throw new RangeError(`queueSize must be a positive integer, got ${queueSize}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
  if (options.listExisting !== undefined && typeof options.listExisting !== 'boolean') {
    throw new TypeError(`listExisting must be a boolean, got ${typeof options.listExisting}`);
  }
  if (this.closed) throw new HandleClosedError();
  signal?.throwIfAborted();
  const transport =
    options.transport ??
    new SocketTransport({
      netns: this.netns,
      // Nothing is requested on this socket: ack options would only cost system calls.
      extAck: false,
      capAck: false,
      strict: false,
      recvBufferSize: recvBufferSize ?? this.options.recvBufferSize,
      groups,
    });
  let set = live.get(this);
  if (set === undefined) live.set(this, (set = new Set()));
  const subs = set;
  const sub: Subscription<RtnlEvent> = new Subscription<RtnlEvent>({
    transport,
    map: eventFromMessage,
    queueSize,
    signal,
    dumps: options.listExisting === true ? listingDumps(groups) : undefined,
    onClose: () => subs.delete(sub),
  });
  if (!sub.closed) subs.add(sub);
  return sub;
};

/** The dumps that list what exists for the joined groups (the four kinds this package lifts). */
function listingDumps(groups: readonly number[]): Message[] {
  const has = (g: number): boolean => groups.includes(g);
  const family = (v4: boolean, v6: boolean): number | undefined => (v4 && v6 ? AF_UNSPEC : v4 ? AF_INET : v6 ? AF_INET6 : undefined);
  const dumps: Message[] = [];
  if (has(RTNLGRP.link)) dumps.push(ifinfoRequest('RTM_GETLINK', 0, {}));
  const addrAf = family(has(RTNLGRP['ipv4-ifaddr']), has(RTNLGRP['ipv6-ifaddr']));
  if (addrAf !== undefined) dumps.push(addrDumpMessage(addrAf, 0));
  const routeAf = family(has(RTNLGRP['ipv4-route']), has(RTNLGRP['ipv6-route']));
  if (routeAf !== undefined) dumps.push(routeDumpMessage(routeAf, 0, undefined, 0, 0));
  if (has(RTNLGRP.neigh)) dumps.push(neighDumpMessage(AF_UNSPEC, undefined, undefined));
  return dumps;
}

// A handle's subscriptions end with it. Handle.close() has no hook for this, so it is wrapped
// once here; the original still does all the handle's own work.
const closeHandle = Handle.prototype.close;
Handle.prototype.close = function (this: Handle): void {
  const subs = live.get(this);
  if (subs !== undefined) {
    live.delete(this);
    for (const s of [...subs]) s.close();
  }
  closeHandle.call(this);
};

/**
 * Subscribe on the default handle (see `Handle.prototype.subscribe`).
 *
 * @example
 * ```ts
 * for await (const ev of subscribe({ groups: ['neigh'] })) if (ev.type === 'newneigh') console.log(ev.neigh);
 * ```
 */
export const subscribe = (options?: SubscribeOptions): Subscription<RtnlEvent> => getDefaultHandle().subscribe(options);

/**
 * Lift one decoded notification into an event (what a subscription yields for it), or
 * `undefined` for control messages (`NLMSG_NOOP`, ...). Exported for offline tools that replay
 * captured notifications.
 *
 * @example
 * ```ts
 * import { decode } from '@nlkit/nl-codec';
 * for (const m of decode(bytes)) console.log(eventFromMessage(m)?.type);
 * ```
 */
export function eventFromMessage(message: Message): RtnlEvent | undefined {
  switch (message.header.type) {
    case 'RTM_NEWLINK':
      return { type: 'newlink', link: linkFromMessage(message), message };
    case 'RTM_DELLINK':
      return { type: 'dellink', link: linkFromMessage(message), message };
    case 'RTM_NEWADDR':
      return { type: 'newaddr', addr: addrFromMessage(message), message };
    case 'RTM_DELADDR':
      return { type: 'deladdr', addr: addrFromMessage(message), message };
    case 'RTM_NEWROUTE':
      return { type: 'newroute', route: routeFromMessage(message), message };
    case 'RTM_DELROUTE':
      return { type: 'delroute', route: routeFromMessage(message), message };
    case 'RTM_NEWNEIGH':
      return { type: 'newneigh', neigh: neighFromMessage(message), message };
    case 'RTM_DELNEIGH':
      return { type: 'delneigh', neigh: neighFromMessage(message), message };
    case 'NLMSG_NOOP':
    case 'NLMSG_DONE':
    case 'NLMSG_ERROR':
    case 'NLMSG_OVERRUN':
      return undefined;
    default:
      return { type: 'other', message };
  }
}
