/**
 * `Handle`: a NETLINK_ROUTE socket bound to one network namespace, plus the engine that runs
 * requests on it. Operations (`linkAdd`, `addrList`, ...) live in their own modules and are
 * installed on `Handle.prototype` there, so each concept stays in one file; this file only owns
 * the socket's lifetime.
 */
import type { Message, MessageInput } from '@nlkit/nl-codec';
import * as shim from '@nlkit/syscall-shim';
import { Engine, type EngineStats, type RequestOptions } from './conn/engine.js';
import { SocketTransport } from './conn/socket-transport.js';
import type { Transport } from './conn/transport.js';
import { HandleClosedError } from './errors.js';
import { NetNs, nsTarget, type NetnsRef } from './netns.js';

export interface HandleOptions {
  /** Namespace to work in (a `NetNs`, an fd, or a path such as `/run/netns/NAME`). Default: the current one. */
  netns?: NetnsRef;
  /** Extended ACK: kernel error messages and attribute paths. Default true. */
  extAck?: boolean;
  /** Strict checking, so dump filters run in the kernel. Default true. */
  strict?: boolean;
  /** Socket receive buffer in bytes (`SO_RCVBUFFORCE`, falling back to `SO_RCVBUF`). */
  recvBufferSize?: number;
  /**
   * How many times a list operation (`linkList`, `addrList`, `routeList`, `neighList`) runs its
   * dump when the kernel flags it interrupted (`NLM_F_DUMP_INTR`: the table changed while it was
   * read) before rejecting with `DumpInterruptedError`. Default 3. Raise it for tables under
   * heavy churn; 1 reports the first interruption. Streams never re-run (what they yielded is
   * gone) and a `request()` given its own `maxAttempts` keeps it.
   */
  dumpAttempts?: number;
  /**
   * Record every datagram this handle's sockets send and receive to a pcap file (link type 253)
   * that `nl-codec decode` and `tshark -r` read. All handles recording to one path share the
   * file. Default: the `NLKIT_PCAP` environment variable, if set.
   */
  record?: string;
  /** @internal a transport to use instead of a real socket (tests replaying recorded bytes). */
  transport?: Transport;
}

/**
 * A netlink handle, like Go's `netlink.Handle`.
 *
 * @example
 * ```ts
 * import { Handle, netns } from '@nlkit/rtnl';
 * const ns = netns.create();
 * const h = Handle.open({ netns: ns });
 * try {
 *   await h.linkAdd({ kind: 'bridge', name: 'br0' });
 *   console.log(await h.linkList());
 * } finally { h.close(); ns.close(); }
 * ```
 */
export class Handle implements Disposable {
  /** @internal the request/reply engine (one per socket). */
  readonly engine: Engine;
  /** The namespace this handle works in (`undefined`: the one current when it was opened). */
  readonly netns: NetnsRef | undefined;
  /** @internal options to open sibling sockets (streams, subscriptions) in the same namespace. */
  readonly options: Readonly<HandleOptions>;
  /** A path given as `netns` is opened once and owned by the handle. */
  private readonly ownedNetns: NetNs | undefined;
  /** Things that live and die with the handle (open streams). */
  private readonly closeHooks = new Set<() => void>();

  private constructor(options: HandleOptions, transport: Transport, ownedNetns: NetNs | undefined) {
    this.options = options;
    this.netns = ownedNetns ?? options.netns;
    this.ownedNetns = ownedNetns;
    this.engine = new Engine(transport, options.dumpAttempts);
  }

  /** Open a handle (synchronous: it only creates and configures a socket). */
  static open(options: HandleOptions = {}): Handle {
    if (options.recvBufferSize !== undefined && (!Number.isInteger(options.recvBufferSize) || options.recvBufferSize <= 0)) {
      throw new RangeError(`recvBufferSize must be a positive integer, got ${options.recvBufferSize}`);
    }
    if (options.dumpAttempts !== undefined && (!Number.isInteger(options.dumpAttempts) || options.dumpAttempts < 1 || options.dumpAttempts > 1000)) {
      throw new RangeError(`dumpAttempts must be an integer in 1..1000, got ${options.dumpAttempts}`);
    }
    let owned: NetNs | undefined;
    if (typeof options.netns === 'string') {
      // Hold the namespace by fd so a later unmount of the path cannot switch it under us.
      owned = new NetNs(shim.open(options.netns, shim.O_RDONLY), options.netns);
    } else if (options.netns !== undefined) {
      nsTarget(options.netns); // validates
    }
    try {
      const transport =
        options.transport ??
        new SocketTransport({
          netns: owned ?? options.netns,
          extAck: options.extAck,
          strict: options.strict,
          recvBufferSize: options.recvBufferSize,
          record: options.record,
        });
      return new Handle(options, transport, owned);
    } catch (e) {
      owned?.close();
      throw e;
    }
  }

  /** What the handle received and dropped (`foreignDropped`: messages not sent by the kernel). */
  get stats(): Readonly<EngineStats> {
    return this.engine.stats;
  }

  /** Our netlink port id. */
  get portId(): number {
    return this.engine.portId;
  }

  get closed(): boolean {
    return this.engine.closed;
  }

  /**
   * Send a raw request and collect its replies. The escape hatch for anything the typed API
   * does not cover; header `seq`, `pid` and `request`/`ack`/`dump` flags are filled in.
   *
   * @example
   * ```ts
   * const [reply] = await h.request({ header: { type: 'RTM_GETLINK', flags: [] }, 'ifi-index': 1, attrs: {} });
   * ```
   */
  request<T = Message>(message: Message | MessageInput, options?: RequestOptions<T>): Promise<T[]> {
    // The engine writes seq and pid itself, and reads flags as names or a number: a header
    // without them (the codec's MessageInput, as `encode` takes it) is a complete request.
    return this.engine.request(message as Message, options);
  }

  /** @internal run `fn` synchronously inside this handle's namespace (for ioctls and tun fds). */
  inNamespace<T>(fn: () => T): T {
    if (this.closed) throw new HandleClosedError();
    return this.netns === undefined ? fn() : shim.inNetns(nsTarget(this.netns), fn);
  }

  /**
   * @internal run `fn` when the handle closes (streams close their own sockets then). Returns
   * a function that unregisters it.
   */
  onClose(fn: () => void): () => void {
    this.closeHooks.add(fn);
    return () => this.closeHooks.delete(fn);
  }

  /** Close the socket and every stream opened from this handle. Pending requests reject with `HandleClosedError`. Idempotent. */
  close(): void {
    try {
      for (const fn of [...this.closeHooks]) {
        try {
          fn();
        } catch {
          // one stream failing to close must not keep the others or the socket open
        }
      }
      this.closeHooks.clear();
      this.engine.close();
    } finally {
      this.ownedNetns?.close();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

let defaultHandle: Handle | undefined;

/**
 * The handle used by module-level functions (`linkAdd`, ...): opened at first use in the
 * namespace current at that moment, and kept until `closeDefaultHandle()`.
 */
export function getDefaultHandle(): Handle {
  if (defaultHandle === undefined || defaultHandle.closed) defaultHandle = Handle.open();
  return defaultHandle;
}

/** Close the default handle (the next module-level call opens a new one). */
export function closeDefaultHandle(): void {
  defaultHandle?.close();
  defaultHandle = undefined;
}
