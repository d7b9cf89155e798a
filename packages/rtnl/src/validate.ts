/**
 * Input validation shared by every rtnl operation. Each check throws a `TypeError` (wrong
 * type) or `RangeError` (right type, bad value) whose message names the field, and runs
 * before any system call, so a bad argument never reaches the kernel half-applied.
 */

/** What `dev_valid_name()` refuses in a name: the first one found. */
const NOT_IN_IFNAME = /[/:\0\s]/u;

/** `IFNAMSIZ - 1`: the longest interface name the kernel accepts, in bytes. */
export const MAX_IFNAME_BYTES = 15;

/**
 * Check an interface name as the kernel's `dev_valid_name()` does: 1 to 15 bytes, not `.` or
 * `..`, no `/`, `:` or whitespace. `%d` templates (`tap%d`) are allowed when `template` is true.
 *
 * @example
 * validateIfName('br0');            // ok
 * validateIfName('a:b');            // RangeError: name "a:b" must not contain ":"
 */
export function validateIfName(name: unknown, field = 'name', template = true): string {
  if (typeof name !== 'string') throw new TypeError(`${field} must be a string, got ${describeValue(name)}`);
  if (name.length === 0) throw new RangeError(`${field} must not be empty`);
  // Counted and scanned without copying the name: this runs for every name of every linkAdd.
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IFNAME_BYTES) {
    throw new RangeError(`${field} "${name}" is ${bytes} bytes; interface names have at most ${MAX_IFNAME_BYTES}`);
  }
  if (name === '.' || name === '..') throw new RangeError(`${field} must not be "${name}"`);
  const bad = NOT_IN_IFNAME.exec(name);
  if (bad !== null) throw new RangeError(`${field} "${name}" must not contain ${bad[0] === '\0' ? 'NUL' : JSON.stringify(bad[0])}`);
  if (!template && name.includes('%')) throw new RangeError(`${field} "${name}" must not be a template here`);
  return name;
}

/** An unsigned integer in `[min, max]`. */
export function validateUint(value: unknown, field: string, min = 0, max = 0xffffffff): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${field} must be an integer, got ${describeValue(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`${field} must be in ${min}..${max}, got ${value}`);
  return value;
}

/** The smallest MTU the kernel accepts on an Ethernet-like device carrying IPv4 (`ETH_MIN_MTU`). */
export const MIN_MTU = 68;
/** `IP_MAX_MTU`-style upper bound for the kinds nlkit creates. */
export const MAX_MTU = 65535;

/** An MTU in 68..65535. */
export function validateMtu(mtu: unknown, field = 'mtu'): number {
  return validateUint(mtu, field, MIN_MTU, MAX_MTU);
}

/**
 * An MTU for an existing link (`linkSetMTU`): its kind is unknown without a lookup, and some
 * devices legitimately exceed 65535 (loopback runs at 65536), so only the IPv4 minimum and the
 * attribute's signed range are checked here; the kernel enforces the device's own maximum
 * (ERANGE/EINVAL with "mtu greater than device maximum").
 */
export function validateSetMtu(mtu: unknown, field = 'mtu'): number {
  return validateUint(mtu, field, MIN_MTU, 0x7fffffff);
}

/** A transmit queue length (`IFLA_TXQLEN`, u32). */
export function validateTxQLen(q: unknown, field = 'txQLen'): number {
  return validateUint(q, field, 0, 0xffffffff);
}

/** An interface index (positive s32). */
export function validateIndex(index: unknown, field = 'index'): number {
  return validateUint(index, field, 1, 0x7fffffff);
}

/** A uid or gid (0..2^32-2; `-1` means "no change" to the kernel and is refused here). */
export function validateId(id: unknown, field: string): number {
  if (typeof id === 'number' && Number.isInteger(id) && id < 0) {
    throw new RangeError(`${field} must not be negative, got ${id}`);
  }
  return validateUint(id, field, 0, 0xfffffffe);
}

const MAC_RE = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;

/**
 * A 6-byte MAC address written `aa:bb:cc:dd:ee:ff` (either case); returned lowercase, the form
 * the codec and the kernel's replies use.
 *
 * @example
 * validateMac('02:AA:bb:cc:dd:ee'); // '02:aa:bb:cc:dd:ee'
 */
export function validateMac(mac: unknown, field = 'hardwareAddr'): string {
  if (typeof mac !== 'string') throw new TypeError(`${field} must be a string like "02:00:00:00:00:01", got ${describeValue(mac)}`);
  if (!MAC_RE.test(mac)) throw new RangeError(`${field}: invalid MAC address "${mac}"`);
  return mac.toLowerCase();
}

/** A boolean option. */
export function validateBool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${field} must be a boolean, got ${describeValue(v)}`);
  return v;
}

/** A string option (e.g. an alias: at most `max` bytes). */
export function validateString(v: unknown, field: string, max = 255): string {
  if (typeof v !== 'string') throw new TypeError(`${field} must be a string, got ${describeValue(v)}`);
  const bytes = Buffer.byteLength(v, 'utf8');
  if (bytes > max) throw new RangeError(`${field} is ${bytes} bytes; the limit is ${max}`);
  if (v.includes('\0')) throw new RangeError(`${field} must not contain NUL`);
  return v;
}

/** One of a fixed set of names. */
export function validateEnum<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new RangeError(`${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describeValue(v)}`);
  }
  return v as T;
}

/** Refuse option names a spec does not know, so a typo never silently does nothing. */
export function rejectUnknownKeys(obj: object, allowed: ReadonlySet<string>, what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) throw new TypeError(`${what}: unknown option "${key}"`);
  }
}

/** A plain object (the argument a spec must be). */
export function validateObject(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${field} must be an object, got ${describeValue(v)}`);
  return v as Record<string, unknown>;
}

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv4 or IPv6 address in text form; returns its family. */
export function validateIp(v: unknown, field: string): 4 | 6 {
  if (typeof v !== 'string') throw new TypeError(`${field} must be an IP address string, got ${describeValue(v)}`);
  if (IPV4_RE.test(v)) return 4;
  if (v.includes(':') && isIpv6(v)) return 6;
  throw new RangeError(`${field}: invalid IP address "${v}"`);
}

function isIpv6(s: string): boolean {
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (part: string): string[] | undefined => {
    if (part === '') return [];
    const g = part.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : undefined;
  };
  let tail = dbl[dbl.length - 1]!;
  let extra = 0;
  const lastColon = tail.lastIndexOf(':');
  const lastPart = tail.slice(lastColon + 1);
  if (IPV4_RE.test(lastPart)) {
    tail = lastColon < 0 ? '' : tail.slice(0, lastColon);
    extra = 2;
  }
  if (dbl.length === 2) {
    const a = groups(dbl[0]!);
    const b = groups(tail);
    return a !== undefined && b !== undefined && a.length + b.length + extra <= 7;
  }
  const a = groups(tail);
  return a !== undefined && a.length + extra === 8;
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
