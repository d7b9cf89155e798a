// The event loop's longest stall over a stretch of work, for the benchmark programs.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Start measuring; resolves to a function that stops and returns the longest stall in ms.
 * It resolves only once the monitor has ticked: Node's histogram records the time between its
 * timer's ticks and only from the second tick on, so a stall that began right after enable()
 * (a synchronous loop queueing a million routes) would otherwise go unrecorded.
 */
export async function loopMonitor() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((r) => setTimeout(r, 5));
  return () => {
    h.disable();
    return Number((h.max / 1e6).toFixed(3));
  };
}
