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
import { DEFAULT_EVENT_GROUPS, RTNLGRP, resolveGroups, type EventGroup, type EventGroupName } from './events/groups.js';
import { Subscription, type ListedEvent, type OverrunEvent } from './events/subscription.js';
import { AF_INET, AF_INET6, AF_UNSPEC, parseFamily, type FamilyArg } from './ip.js';
import { ifinfoRequest } from './link/message.js';
import { linkFromMessage, type Link } from './link/index.js';
import { addrDumpMessage, addrFromMessage, type Addr } from './addr.js';
import { routeDumpMessage, routeFromMessage, type Route } from './route.js';
import { neighDumpMessage, neighFromMessage, type Neigh } from './neigh.js';

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
    /**
     * Link events only (`newlink`/`dellink`, plus `overrun`/`listed`), like Go's `LinkSubscribe`.
     *
     * @example
     * ```ts
     * for await (const ev of h.linkSubscribe({ listExisting: true })) if (ev.type === 'newlink') console.log(ev.link.name, ev.link.operState);
     * ```
     */
    linkSubscribe(options?: KindSubscribeOptions): Subscription<LinkEvent>;
    /**
     * Address events only (`newaddr`/`deladdr`), of one family or both, like Go's `AddrSubscribe`.
     *
     * @example
     * ```ts
     * for await (const ev of h.addrSubscribe({ family: 'inet6' })) if (ev.type === 'newaddr') console.log(ev.addr.address, ev.addr.flags);
     * ```
     */
    addrSubscribe(options?: FamilySubscribeOptions): Subscription<AddrEvent>;
    /**
     * Route events only (`newroute`/`delroute`), of one family or both, like Go's `RouteSubscribe`.
     *
     * @example
     * ```ts
     * for await (const ev of h.routeSubscribe({ family: 'inet' })) if (ev.type === 'delroute') console.log('gone:', ev.route.dst ?? 'default');
     * ```
     */
    routeSubscribe(options?: FamilySubscribeOptions): Subscription<RouteEvent>;
    /**
     * Neighbour events only (`newneigh`/`delneigh`: ARP/ND and bridge FDB entries), like Go's `NeighSubscribe`.
     *
     * @example
     * ```ts
     * for await (const ev of h.neighSubscribe()) if (ev.type === 'newneigh') console.log(ev.neigh.ip, ev.neigh.hardwareAddr, ev.neigh.state);
     * ```
     */
    neighSubscribe(options?: KindSubscribeOptions): Subscription<NeighEvent>;
  }
}

/** Subscriptions of each handle, closed with it. */
const live = new WeakMap<Handle, Set<Subscription<unknown>>>();

/** Validate the options, open the socket and start a subscription whose events `map` makes. */
function open<E>(h: Handle, options: SubscribeOptions, defaultGroups: readonly EventGroup[], map: (m: Message) => E | undefined): Subscription<E> {
  if (options === null || typeof options !== 'object') throw new TypeError('subscribe options must be an object');
  const groups = resolveGroups(options.groups ?? defaultGroups);
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
  if (h.closed) throw new HandleClosedError();
  signal?.throwIfAborted();
  const transport =
    options.transport ??
    new SocketTransport({
      netns: h.netns,
      // Only unfiltered listing dumps are ever sent here: no ack or strict-check options.
      extAck: false,
      capAck: false,
      strict: false,
      recvBufferSize: recvBufferSize ?? h.options.recvBufferSize,
      // The handle's capture (`record`, NLKIT_PCAP) covers its subscriptions' traffic too.
      record: h.options.record,
      groups,
    });
  let subs = live.get(h);
  if (subs === undefined) live.set(h, (subs = new Set()));
  const owner = subs;
  const entry: { sub?: Subscription<unknown> } = {};
  const sub = new Subscription<E>({
    transport,
    map,
    queueSize,
    signal,
    dumps: options.listExisting === true ? listingDumps(groups) : undefined,
    onClose: () => {
      if (entry.sub !== undefined) owner.delete(entry.sub);
    },
  });
  if (!sub.closed) {
    entry.sub = sub as Subscription<unknown>;
    owner.add(entry.sub);
  }
  return sub;
}

Handle.prototype.subscribe = function (this: Handle, options: SubscribeOptions = {}): Subscription<RtnlEvent> {
  return open(this, options, DEFAULT_EVENT_GROUPS, eventFromMessage);
};

/** Options of the one-kind subscriptions (`linkSubscribe`, ...): their groups are fixed. */
export type KindSubscribeOptions = Omit<SubscribeOptions, 'groups'>;

/** Options of `addrSubscribe`/`routeSubscribe`: one family, or both (default). */
export interface FamilySubscribeOptions extends KindSubscribeOptions {
  /** `'inet'`, `'inet6'`, 4 or 6; default both. */
  family?: FamilyArg;
}

function familyGroups(options: FamilySubscribeOptions, v4: EventGroupName, v6: EventGroupName): EventGroupName[] {
  if (options === null || typeof options !== 'object') throw new TypeError('subscribe options must be an object');
  if ((options as SubscribeOptions).groups !== undefined) throw new TypeError('groups cannot be given here: use subscribe({ groups })');
  if (options.family === undefined) return [v4, v6];
  return parseFamily(options.family) === AF_INET ? [v4] : [v6];
}

function kindOptions(options: KindSubscribeOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('subscribe options must be an object');
  if ((options as SubscribeOptions).groups !== undefined) throw new TypeError('groups cannot be given here: use subscribe({ groups })');
}

const only =
  <E extends RtnlEvent>(types: readonly string[]) =>
  (m: Message): E | undefined =>
    types.includes(m.header.type as string) ? (eventFromMessage(m) as E) : undefined;

const linkOnly = only<LinkEvent>(['RTM_NEWLINK', 'RTM_DELLINK']);
const addrOnly = only<AddrEvent>(['RTM_NEWADDR', 'RTM_DELADDR']);
const routeOnly = only<RouteEvent>(['RTM_NEWROUTE', 'RTM_DELROUTE']);
const neighOnly = only<NeighEvent>(['RTM_NEWNEIGH', 'RTM_DELNEIGH']);

Handle.prototype.linkSubscribe = function (this: Handle, options: KindSubscribeOptions = {}): Subscription<LinkEvent> {
  kindOptions(options);
  return open(this, options, ['link'], linkOnly);
};

Handle.prototype.addrSubscribe = function (this: Handle, options: FamilySubscribeOptions = {}): Subscription<AddrEvent> {
  const groups = familyGroups(options, 'ipv4-ifaddr', 'ipv6-ifaddr');
  const { family: _family, ...rest } = options;
  return open(this, rest, groups, addrOnly);
};

Handle.prototype.routeSubscribe = function (this: Handle, options: FamilySubscribeOptions = {}): Subscription<RouteEvent> {
  const groups = familyGroups(options, 'ipv4-route', 'ipv6-route');
  const { family: _family, ...rest } = options;
  return open(this, rest, groups, routeOnly);
};

Handle.prototype.neighSubscribe = function (this: Handle, options: KindSubscribeOptions = {}): Subscription<NeighEvent> {
  kindOptions(options);
  return open(this, options, ['neigh'], neighOnly);
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
/** {@link Handle.linkSubscribe} on the default handle. */
export const linkSubscribe = (options?: KindSubscribeOptions): Subscription<LinkEvent> => getDefaultHandle().linkSubscribe(options);
/** {@link Handle.addrSubscribe} on the default handle. */
export const addrSubscribe = (options?: FamilySubscribeOptions): Subscription<AddrEvent> => getDefaultHandle().addrSubscribe(options);
/** {@link Handle.routeSubscribe} on the default handle. */
export const routeSubscribe = (options?: FamilySubscribeOptions): Subscription<RouteEvent> => getDefaultHandle().routeSubscribe(options);
/** {@link Handle.neighSubscribe} on the default handle. */
export const neighSubscribe = (options?: KindSubscribeOptions): Subscription<NeighEvent> => getDefaultHandle().neighSubscribe(options);

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
