/** Generic info-data lifting: spec attribute names (`forward-delay`) to camelCase fields. */

export function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Copy a decoded attribute set into a camelCase object. 64-bit counters that fit a double
 * become numbers (timers, intervals); anything larger stays a bigint.
 */
export function camelLift(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    let v = data[key];
    if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) v = Number(v);
    out[camel(key)] = v;
  }
  return out;
}
