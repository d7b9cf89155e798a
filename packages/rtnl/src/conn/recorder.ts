/**
 * Captures without nlmon: every datagram a socket sends and receives, appended to a pcap file
 * (link type 253, LINKTYPE_NETLINK) that `nl-codec decode` and `tshark -r` read. All sockets of
 * the process that record to the same path share one file; the pseudo-header carries the
 * socket's port id in its address field and the direction in its packet type (7 to the kernel,
 * 6 to user space).
 *
 * Enabled per handle with `Handle.open({ record: 'trace.pcap' })`, for every socket of the
 * process with the environment variable `NLKIT_PCAP=path`, and in the CLI with `--record`.
 * Writes are synchronous so a crash loses nothing already exchanged; recording is for
 * debugging, not for the hot path.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { pcapFileHeader, pcapRecord } from '@nlkit/nl-codec';

export class PcapRecorder {
  private fd: number | undefined;
  private users = 0;

  constructor(readonly path: string) {}

  /** A socket starts recording: the file is created (truncated) on first use. */
  acquire(): void {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, 'w');
      writeSync(this.fd, pcapFileHeader({ nanosecond: true }));
    }
    this.users++;
  }

  /** A socket stops recording; the file is closed when the last one does. */
  release(): void {
    if (--this.users > 0 || this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    recorders.delete(this.path);
  }

  record(direction: 'to-kernel' | 'to-user', portId: number, bytes: Uint8Array): void {
    if (this.fd === undefined) return;
    const ms = performance.timeOrigin + performance.now();
    const sec = Math.floor(ms / 1000);
    const nsec = Math.floor((ms - sec * 1000) * 1e6);
    writeSync(this.fd, pcapRecord({ time: { sec, nsec }, direction, protocol: 0, portId, bytes }, { nanosecond: true }));
  }
}

const recorders = new Map<string, PcapRecorder>();

/**
 * The recorder for `path` (shared by every socket of the process that records there), or the
 * one named by `NLKIT_PCAP` when `path` is undefined; `undefined` when neither asks for one.
 */
export function recorderFor(path: string | undefined): PcapRecorder | undefined {
  const target = path ?? process.env.NLKIT_PCAP;
  if (target === undefined || target === '') return undefined;
  const key = resolve(target);
  let r = recorders.get(key);
  if (r === undefined) {
    r = new PcapRecorder(key);
    recorders.set(key, r);
  }
  return r;
}
