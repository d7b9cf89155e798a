/**
 * Requests made with `offload: true` (link deletion, namespace moves) send on a worker thread:
 * answered like any other, later requests wait for the send and go out in call order, and
 * close or a failed send settles everything.
 */
import { decode, type Message } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { HandleClosedError } from '../errors.js';
import { answerTo, AsyncFakeKernel, FakeKernel, sysError } from '../test-support/fake-kernel.js';
import { ifinfoRequest } from '../link/message.js';
import { Engine } from './engine.js';

/** A link request by index with no attributes (the message form `ifinfoRequest` builds). */
const delLink = (index: number): Message => ifinfoRequest('RTM_DELLINK', index, {});

const indexOf = (bytes: Uint8Array): number => (decode(bytes)[0] as unknown as { 'ifi-index': number })['ifi-index'];

/** A kernel that ACKs every message with `error` (0: success) for the ifindex in `errors`. */
function ackingKernel(errors: Record<number, number> = {}): AsyncFakeKernel {
  return new AsyncFakeKernel((req, kern) => kern.push({ bytes: answerTo(req, errors[indexOf(req)] ?? 0) }));
}


describe('engine: offloaded requests', () => {
  it('sends an offloaded request on the worker path and resolves on its ACK', async () => {
    const k = ackingKernel();
    const e = new Engine(k);
    await e.request(delLink(7), { offload: true, resolveVoid: true });
    expect(k.asyncSends).toBe(1);
    expect(k.sent.map(indexOf)).toEqual([7]);
  });

  it('sends requests made meanwhile only after the offloaded send returns, in call order', async () => {
    const k = ackingKernel();
    const e = new Engine(k);
    const release = k.hold();
    const first = e.request(delLink(1), { offload: true });
    const second = e.request(delLink(2)); // a plain, synchronous request
    const third = e.request(delLink(3), { offload: true });
    await new Promise((r) => setTimeout(r, 5));
    expect(k.sent).toHaveLength(0); // the first send has not returned: nothing else went out
    expect(e.inFlight).toBe(3);
    release();
    await Promise.all([first, second, third]);
    expect(k.sent.map(indexOf)).toEqual([1, 2, 3]);
    expect(k.asyncSends).toBe(2);
    expect(k.maxInFlight).toBe(1);
  });

  it('rejects a request whose send failed with that error and still sends the ones waiting', async () => {
    const k = ackingKernel();
    const e = new Engine(k);
    k.failSend(sysError('ENOMEM', -12));
    const failed = e.request(delLink(1), { offload: true }).catch((x: unknown) => x);
    const after = e.request(delLink(2), { offload: true });
    expect(await failed).toMatchObject({ code: 'ENOMEM' });
    await after;
    expect(k.sent.map(indexOf)).toEqual([2]);
  });

  it('reports a kernel error on an offloaded request as a NetlinkError', async () => {
    const k = ackingKernel({ 9: -19 });
    const e = new Engine(k);
    await expect(e.request(delLink(9), { offload: true })).rejects.toMatchObject({ code: 'ENODEV', errno: -19 });
  });

  it('settles the request in flight and the waiting ones with HandleClosedError on close', async () => {
    const k = ackingKernel();
    const e = new Engine(k);
    const release = k.hold();
    const inFlight = e.request(delLink(1), { offload: true }).catch((x: unknown) => x);
    const waiting = e.request(delLink(2)).catch((x: unknown) => x);
    await new Promise((r) => setImmediate(r));
    e.close();
    expect(await inFlight).toBeInstanceOf(HandleClosedError);
    expect(await waiting).toBeInstanceOf(HandleClosedError);
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(k.sent.map(indexOf)).toEqual([1]); // the worker's call completes; the waiting one is never sent
  });

  it('sends synchronously through a transport without sendAsync, and never offloads a dump', async () => {
    const k = new FakeKernel((req, kern) => kern.push({ bytes: answerTo(req) }));
    const e = new Engine(k);
    await e.request(delLink(4), { offload: true });
    expect(k.sent).toHaveLength(1);
    const done = new Uint8Array(20);
    const dv = new DataView(done.buffer);
    const dumpKernel = new AsyncFakeKernel((req, kern) => {
      dv.setUint32(0, 20, true);
      dv.setUint16(4, 3, true);
      dv.setUint16(6, 2, true);
      dv.setUint32(8, decode(req)[0]!.header.seq, true);
      kern.push({ bytes: done.slice() });
    });
    const e3 = new Engine(dumpKernel);
    await e3.request({ ...delLink(0), header: { type: 'RTM_GETLINK', flags: [], seq: 0, pid: 0 } }, { dump: true, offload: true });
    expect(dumpKernel.asyncSends).toBe(0);
    expect(dumpKernel.sent).toHaveLength(1);
  });
});
