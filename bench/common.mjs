// What the benchmark programs share: their command-line flags, clock, median, exit on a failed
// check, and the peer protocol's phase record (../shared/peers/README.md, "Peer protocol").

/** The value after `--name` (or `-name`, as the scale harness passes them), else `def`. */
export const arg = (name, def) => {
  let i = process.argv.indexOf(`--${name}`);
  if (i < 0) i = process.argv.indexOf(`-${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};

/** A monotonic clock in milliseconds. */
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** A `die(msg)` that prints `who: msg` on stderr and exits 1 (the harness marks the run failed). */
export const dieAs = (who) => (msg) => {
  process.stderr.write(`${who}: ${msg}\n`);
  process.exit(1);
};

/**
 * Run `fn` (sync or async; returns the items it handled) `reps` times and describe the phase
 * as the peer protocol wants it: wall time per repetition, CPU per repetition, and the
 * monotonic start and end (`--profile` attributes samples with them).
 */
export async function measure(name, unit, ops, reps, fn) {
  const times = [];
  let items = 0;
  const c0 = process.cpuUsage();
  const t0mono = process.hrtime.bigint().toString();
  for (let r = 0; r < reps; r++) {
    const t0 = nowMs();
    items = await fn();
    times.push(nowMs() - t0);
  }
  const t1mono = process.hrtime.bigint().toString();
  const c = process.cpuUsage(c0);
  return {
    name, ops, unit, items, reps,
    median_ms: median(times), min_ms: Math.min(...times), max_ms: Math.max(...times),
    user_ms: c.user / 1e3 / reps, sys_ms: c.system / 1e3 / reps,
    t0_mono_ns: t0mono, t1_mono_ns: t1mono,
  };
}
