// The event loop's longest stall over a stretch of work, for the benchmark programs.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Start measuring; resolves to an async function that stops and resolves to the longest stall
 * in ms. Node's histogram records the time between its timer's ticks, from the second tick on:
 * so this resolves only once the monitor has ticked (a stall that began right after enable(),
 * such as a synchronous loop queueing a million routes, would otherwise go unrecorded), and the
 * stop waits for one more tick (the stretch of work that ended just before it would otherwise
 * go unrecorded, and with it a whole run that never let the timer fire).
 */
export async function loopMonitor() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((r) => setTimeout(r, 5));
  return async () => {
    await new Promise((r) => setTimeout(r, 3));
    h.disable();
    return Number((h.max / 1e6).toFixed(3));
  };
}

