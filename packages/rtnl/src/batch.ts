/**
 * `h.batch()`: queue many operations, then send them pipelined — several messages per
 * `sendmsg`, without waiting for each ACK — with a bounded window in flight, and get one
 * result per operation, in order.
 *
 * Every operation is the same code as the handle's method: the batch runs it against a
 * recording view of the handle whose `request()` queues the message instead of sending it.
 * So `b.routeAdd(r)` builds exactly the bytes `h.routeAdd(r)` would, and an operation that
 * needs a lookup first (a link given by name) simply takes one more round.
 */
import type { Message } from '@nlkit/nl-codec';
import type { RequestOptions } from './conn/engine.js';
import { Handle } from './handle.js';

/** One operation's outcome. */
export type BatchResult<T = unknown> = { ok: true; value: T } | { ok: false; error: unknown };

/** Handle methods that make no sense inside a batch. */
type NotBatchable =
  | 'batch'
  | 'request'
  | 'subscribe'
  | 'close'
  | 'inNamespace'
  | 'linkListStream'
  | 'addrListStream'
  | 'routeListStream'
  | 'neighListStream'
  | typeof Symbol.dispose;

// Exclude `batch` before looking at member types, or the type would refer to itself.
type Candidate = Exclude<keyof Handle, NotBatchable>;
type AsyncMethodName = {
  [K in Candidate]-?: Handle[K] extends (...args: any[]) => Promise<any> ? K : never;
}[Candidate];

/** The operations a batch can queue: every async method of `Handle`, returning the batch. */
export type BatchOps = {
  [K in AsyncMethodName]: Handle[K] extends (...args: infer A) => Promise<any> ? (...args: A) => Batch : never;
};

export interface CommitOptions {
  /**
   * Operations in flight at most (default 32). Their replies must fit the socket's receive
   * buffer (about 208 KB by default): an ACK takes about 1 KB of it, but a `linkAdd` reply
   * echoes the whole link (several KB), so 32 is safe for any operation with the default
   * buffer. Raise `recvBufferSize` on the handle before raising this (route batches run well
   * at 256 with an 8 MB buffer). An overflow is never silent: the affected operations fail
   * with `OverrunError`.
   */
  window?: number;
}

export type Batch = BatchOps & {
  /** Number of operations queued. */
  readonly size: number;
  /** Send everything; resolves to one result per queued operation, in order. A batch commits once. */
  commit(options?: CommitOptions): Promise<BatchResult[]>;
};

interface Queued {
  message: Message;
  options: RequestOptions<unknown> | undefined;
  resolve: (v: unknown[]) => void;
  reject: (e: unknown) => void;
}

class BatchRecorder {
  /** Queued operations: only the method and its arguments until commit() runs them. */
  readonly ops: Array<{ method: (...a: unknown[]) => Promise<unknown>; args: unknown[] }> = [];
  /** Messages the running operations asked to send, not sent yet. */
  readonly queue: Queued[] = [];
  committed = false;
  private wake: (() => void) | undefined;
  /** The handle as operations see it: identical, except `request()` queues. */
  readonly view: Handle;

  constructor(readonly handle: Handle) {
    const view = Object.create(handle) as Handle;
    Object.defineProperty(view, 'request', {
      value: (message: Message, options?: RequestOptions<unknown>): Promise<unknown[]> => {
        // Dumps (lookups) cannot be pipelined with other requests on one socket: run them now.
        if (options?.dump) return handle.request(message, options);
        return new Promise<unknown[]>((resolve, reject) => {
          this.queue.push({ message, options, resolve, reject });
          const w = this.wake;
          this.wake = undefined;
          w?.();
        });
      },
    });
    this.view = view;
  }

  /** Resolve when something is queued (or `until` settles). */
  private waitForWork(until: Promise<unknown>): Promise<unknown> {
    if (this.queue.length > 0) return Promise.resolve();
    return Promise.race([until, new Promise<void>((r) => (this.wake = r))]);
  }

  /**
   * Run the operations `window` at a time: start them, let each run up to its request, send
   * what they queued in as few datagrams as possible, and repeat until all of them settled
   * (an operation that needs a lookup first takes one more round). Only one window of
   * operations, messages and promises exists at a time, whatever the batch's size.
   */
  async commit(options: CommitOptions = {}): Promise<BatchResult[]> {
    if (this.committed) throw new Error('this batch was already committed');
    this.committed = true;
    const window = options.window ?? 32;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
    const results: BatchResult[] = new Array(this.ops.length);
    const engine = this.handle.engine;
    for (let first = 0; first < this.ops.length; first += window) {
      const last = Math.min(first + window, this.ops.length);
      let running = last - first;
      let allSettled: () => void = () => {};
      const settled = new Promise<void>((r) => (allSettled = r));
      for (let i = first; i < last; i++) {
        const { method, args } = this.ops[i]!;
        this.ops[i] = undefined as never; // release the arguments as we go
        let op: Promise<unknown>;
        try {
          op = method.apply(this.view, args);
        } catch (error) {
          op = Promise.reject(error);
        }
        op.then(
          (value) => {
            results[i] = { ok: true, value };
          },
          (error: unknown) => {
            results[i] = { ok: false, error };
          },
        ).finally(() => {
          if (--running === 0) allSettled();
        });
      }
      while (running > 0) {
        // Let the operations run up to their (next) request.
        await new Promise((r) => setImmediate(r));
        if (this.queue.length === 0) {
          await this.waitForWork(settled);
          continue;
        }
        const slice = this.queue.splice(0);
        const promises = engine.requestMany(
          slice.map((q) => q.message),
          slice.map((q) => q.options),
        );
        for (let k = 0; k < slice.length; k++) promises[k]!.then(slice[k]!.resolve, slice[k]!.reject);
        await Promise.allSettled(promises);
      }
    }
    this.ops.length = 0;
    return results;
  }
}

declare module './handle.js' {
  interface Handle {
    /**
     * Start a batch: queue operations with the same names and arguments as the handle's
     * methods, then `commit()` to send them pipelined. Errors are reported per operation;
     * nothing is lost or misattributed (each ACK is matched by its sequence number).
     *
     * @example
     * ```ts
     * const b = h.batch();
     * for (const r of routes) b.routeAdd(r);
     * b.linkSetMTU(link, 9000);
     * const results = await b.commit({ window: 256 });
     * const failed = results.filter((r) => !r.ok);
     * ```
     */
    batch(): Batch;
  }
}

Handle.prototype.batch = function (this: Handle): Batch {
  const recorder = new BatchRecorder(this);
  const proxy: Batch = new Proxy({} as Batch, {
    get(_target, prop) {
      if (prop === 'commit') return (o?: CommitOptions) => recorder.commit(o);
      if (prop === 'size') return recorder.ops.length;
      if (prop === 'then') return undefined; // not a thenable
      const method = (Handle.prototype as unknown as Record<PropertyKey, unknown>)[prop];
      if (typeof method !== 'function') return undefined;
      return (...args: unknown[]): Batch => {
        if (recorder.committed) throw new Error('cannot add to a batch after commit()');
        // Recorded only: the operation runs (and validates) inside commit(), a window at a time.
        recorder.ops.push({ method: method as (...a: unknown[]) => Promise<unknown>, args });
        return proxy;
      };
    },
  });
  return proxy;
};
