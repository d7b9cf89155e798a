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
   * Requests in flight at most (default 128). Their ACKs must fit the socket's receive buffer
   * (about 200 KB by default, several hundred bytes per ACK): raise `recvBufferSize` on the
   * handle before raising this.
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
  readonly operations: Promise<unknown>[] = [];
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
  waitForWork(until: Promise<unknown>): Promise<unknown> {
    if (this.queue.length > 0) return Promise.resolve();
    return Promise.race([until, new Promise<void>((r) => (this.wake = r))]);
  }

  async commit(options: CommitOptions = {}): Promise<BatchResult[]> {
    if (this.committed) throw new Error('this batch was already committed');
    this.committed = true;
    const window = options.window ?? 128;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
    const results = this.operations.map((p) =>
      p.then(
        (value): BatchResult => ({ ok: true, value }),
        (error: unknown): BatchResult => ({ ok: false, error }),
      ),
    );
    let allDone = false;
    const everything = Promise.all(results).then(() => {
      allDone = true;
    });
    const engine = this.handle.engine;
    while (!allDone) {
      // Let operations run up to their (next) request.
      await new Promise((r) => setImmediate(r));
      if (this.queue.length === 0) {
        await this.waitForWork(everything);
        continue;
      }
      const slice = this.queue.splice(0, window);
      const promises = engine.requestMany(
        slice.map((q) => q.message),
        slice.map((q) => q.options),
      );
      for (let i = 0; i < slice.length; i++) promises[i]!.then(slice[i]!.resolve, slice[i]!.reject);
      await Promise.allSettled(promises);
    }
    return Promise.all(results);
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
      if (prop === 'size') return recorder.operations.length;
      if (prop === 'then') return undefined; // not a thenable
      const method = (Handle.prototype as unknown as Record<PropertyKey, unknown>)[prop];
      if (typeof method !== 'function') return undefined;
      return (...args: unknown[]): Batch => {
        if (recorder.committed) throw new Error('cannot add to a batch after commit()');
        const op = Promise.resolve().then(() => (method as (...a: unknown[]) => Promise<unknown>).apply(recorder.view, args));
        op.catch(() => {}); // reported through commit()
        recorder.operations.push(op);
        return proxy;
      };
    },
  });
  return proxy;
};
