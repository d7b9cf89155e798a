/**
 * Streaming forms of every dump: `linkListStream`, `addrListStream`, `routeListStream`,
 * `neighListStream`. Each reuses the matching `...List` operation unchanged: the operation
 * runs against a view of the handle that captures its dump request (message and the function
 * that lifts each reply into an object) instead of collecting it, and the captured request is
 * run as a `DumpStream` on a socket of its own in the handle's namespace.
 */
import type { Message } from '@nlkit/nl-codec';
import type { RequestOptions } from './conn/engine.js';
import { SocketTransport } from './conn/socket-transport.js';
import { DumpStream } from './conn/stream.js';
import { Handle, getDefaultHandle } from './handle.js';
import type { Link, LinkListFilter } from './link/index.js';
import type { Addr, AddrListOptions } from './addr.js';
import type { Route, RouteFilter } from './route.js';
import type { Neigh, NeighFilter } from './neigh.js';
import type { LinkRef } from './link/ref.js';

interface CapturedDump {
  message: Message;
  map: (m: Message) => unknown;
  mapRaw: ((m: Uint8Array) => unknown) | undefined;
  mapAt: ((d: Uint8Array, o: number, l: number) => unknown) | undefined;
  keepDatagram: boolean;
}

/** Run `op` against a view of `h` and capture the dump request it makes. */
function captureDump(h: Handle, op: (view: Handle) => Promise<unknown>): Promise<CapturedDump> {
  return new Promise<CapturedDump>((resolve, reject) => {
    const view = Object.create(h) as Handle;
    Object.defineProperty(view, 'request', {
      value: (message: Message, options?: RequestOptions<unknown>): Promise<unknown[]> => {
        if (!options?.dump) return h.request(message, options); // lookups before the dump run normally
        resolve({ message, map: options.map ?? ((m: Message) => m), mapRaw: options.mapRaw, mapAt: options.mapAt, keepDatagram: options.keepDatagram === true });
        return new Promise<unknown[]>(() => {}); // the operation's own collection never completes
      },
    });
    op(view).then(
      () => reject(new Error('internal: the operation finished without a dump request')),
      reject,
    );
  });
}

/**
 * The stream handed to the caller: captures the dump request on the first `next()`, then
 * hands each `next()` straight to the `DumpStream` (one await per item, not two as an async
 * generator wrapping it would cost). `return()` (a `break`) and the handle's close end it.
 */
class HandleDumpStream<T> implements AsyncIterableIterator<T> {
  private stream: DumpStream<T> | undefined;
  private starting: Promise<DumpStream<T>> | undefined;
  private unregister: (() => void) | undefined;
  private ended = false;

  constructor(
    private readonly h: Handle,
    private readonly op: (view: Handle) => Promise<unknown>,
  ) {}

  private async open(): Promise<DumpStream<T>> {
    const { message, map, mapRaw, mapAt, keepDatagram } = await captureDump(this.h, this.op);
    const h = this.h;
    const transport = new SocketTransport({
      netns: h.netns,
      extAck: h.options.extAck,
      strict: h.options.strict,
      recvBufferSize: h.options.recvBufferSize,
      record: h.options.record,
    });
    const stream = new DumpStream<T>(transport, message, {
      map: map as (m: Message) => T | undefined,
      mapRaw: mapRaw as ((m: Uint8Array) => T | undefined) | undefined,
      mapAt: mapAt as ((d: Uint8Array, o: number, l: number) => T | undefined) | undefined,
      keepDatagram,
    });
    this.stream = stream;
    if (this.ended) {
      // return() came while the request was being captured: close what was just opened.
      await stream.return();
      return stream;
    }
    // A stream left mid-way (neither finished nor broken off) closes its socket with the handle.
    this.unregister = h.onClose(() => void this.return());
    return stream;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    const stream = this.stream;
    // Items already buffered cannot end or fail the stream: hand them straight through.
    if (stream !== undefined) return stream.buffered > 0 ? stream.next() : this.settle(stream.next());
    this.starting ??= this.open();
    return this.starting.then((s) => this.settle(s.next()), (e: unknown) => {
      this.ended = true;
      throw e;
    });
  }

  /** Unregister from the handle once the stream is over (done or failed). */
  private settle(p: Promise<IteratorResult<T>>): Promise<IteratorResult<T>> {
    return p.then(
      (r) => {
        if (r.done) this.finish();
        return r;
      },
      (e: unknown) => {
        this.finish();
        throw e;
      },
    );
  }

  private finish(): void {
    this.ended = true;
    this.unregister?.();
    this.unregister = undefined;
  }

  async return(): Promise<IteratorResult<T>> {
    this.finish();
    await this.stream?.return();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function streamDump<T>(h: Handle, op: (view: Handle) => Promise<unknown>): AsyncIterableIterator<T> {
  return new HandleDumpStream<T>(h, op);
}

declare module './handle.js' {
  interface Handle {
    /**
     * Stream the links as the dump arrives (same filter as `linkList`). `break` ends the dump
     * and leaves the handle usable; a slow consumer stops the reads.
     *
     * @example
     * ```ts
     * for await (const link of h.linkListStream({ kind: 'veth' })) console.log(link.name);
     * ```
     */
    linkListStream(filter?: LinkListFilter): AsyncIterableIterator<Link>;
    /** Stream addresses (same arguments as `addrList`). */
    addrListStream(link?: LinkRef, options?: AddrListOptions): AsyncIterableIterator<Addr>;
    /**
     * Stream routes (same filter as `routeList`), holding about one datagram in memory: a
     * million-route table can be walked in constant memory.
     *
     * @example
     * ```ts
     * let n = 0;
     * for await (const r of h.routeListStream({ family: 'inet' })) if (r.gw) n++;
     * ```
     */
    routeListStream(filter?: RouteFilter): AsyncIterableIterator<Route>;
    /** Stream neighbours (same filter as `neighList`). */
    neighListStream(filter?: NeighFilter): AsyncIterableIterator<Neigh>;
  }
}

Handle.prototype.linkListStream = function (this: Handle, filter?: LinkListFilter) {
  return streamDump<Link>(this, (v) => v.linkList(filter));
};
Handle.prototype.addrListStream = function (this: Handle, link?: LinkRef, options?: AddrListOptions) {
  return streamDump<Addr>(this, (v) => v.addrList(link, options));
};
Handle.prototype.routeListStream = function (this: Handle, filter?: RouteFilter) {
  return streamDump<Route>(this, (v) => v.routeList(filter));
};
Handle.prototype.neighListStream = function (this: Handle, filter?: NeighFilter) {
  return streamDump<Neigh>(this, (v) => v.neighList(filter));
};

export const linkListStream = (filter?: LinkListFilter) => getDefaultHandle().linkListStream(filter);
export const addrListStream = (link?: LinkRef, options?: AddrListOptions) => getDefaultHandle().addrListStream(link, options);
export const routeListStream = (filter?: RouteFilter) => getDefaultHandle().routeListStream(filter);
export const neighListStream = (filter?: NeighFilter) => getDefaultHandle().neighListStream(filter);
