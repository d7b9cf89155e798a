// Lossless JSON for decoded messages: the two value types JSON lacks get tagged objects,
// `bigint` as {"$bigint": "123"} and bytes as {"$hex": "00ff"}; everything else is plain JSON.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Lowercase hex of bytes, no separators.
 *
 * @example
 * toHex(Uint8Array.of(0, 255)); // '00ff'
 */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]!;
  return s;
}

/**
 * Bytes from hex text. Whitespace, `0x` prefixes and `:`/`-` separators between bytes are
 * ignored; anything else, or an odd number of digits, is a `SyntaxError` naming the position.
 *
 * @example
 * fromHex('0x00 ff');  // Uint8Array [0, 255]
 * fromHex('de:ad');    // Uint8Array [222, 173]
 */
export function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length >>> 1);
  let n = 0;
  let high = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 97 && c <= 102) v = c - 87;
    else if (c >= 65 && c <= 70) v = c - 55;
    else if (c === 32 || c === 9 || c === 10 || c === 13 || c === 58 || c === 45) {
      // A byte's two digits must be adjacent: '0x1 0x2' is not 0x12.
      if (high >= 0) {
        throw new SyntaxError(`hex: separator inside a byte at position ${i}`);
      }
      continue;
    } else if (c === 120 || c === 88) {
      // 'x' is only valid as the second character of a '0x' prefix starting a byte.
      if (high !== 0 || text.charCodeAt(i - 1) !== 48 || !isHexBoundary(text.charCodeAt(i - 2))) {
        throw new SyntaxError(`hex: unexpected 'x' at position ${i}`);
      }
      high = -1;
      continue;
    } else {
      throw new SyntaxError(`hex: unexpected character ${JSON.stringify(text[i])} at position ${i}`);
    }
    if (high < 0) high = v;
    else {
      out[n++] = (high << 4) | v;
      high = -1;
    }
  }
  if (high >= 0) throw new SyntaxError('hex: odd number of hex digits');
  return n === out.length ? out : out.slice(0, n);
}

function isHexBoundary(c: number): boolean {
  return Number.isNaN(c) || c === 32 || c === 9 || c === 10 || c === 13 || c === 58 || c === 45;
}

/**
 * A JSON value as `toJSON` produces it.
 *
 * @example
 * const j: JsonValue = toJSON({ n: 1n }); // { n: { $bigint: '1' } }
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Converts decoded messages (or any value built of plain objects, arrays, strings, numbers,
 * booleans, `bigint` and `Uint8Array`) into plain JSON data: `bigint` -> `{"$bigint": "123"}`,
 * `Uint8Array` -> `{"$hex": "00ff"}`. Keys whose value is `undefined` are left out, as
 * `JSON.stringify` does. Other values (functions, symbols, non-finite numbers, class instances)
 * are a `TypeError` naming their path, because they would not survive the round trip.
 *
 * @example
 * toJSON({ rx: 5n, mac: Uint8Array.of(1, 2) }); // { rx: { $bigint: '5' }, mac: { $hex: '0102' } }
 */
export function toJSON(value: unknown): JsonValue {
  return convertOut(value, '$');
}

function convertOut(value: unknown, path: string): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`toJSON: ${path} is ${value}, which JSON cannot hold`);
      return value;
    case 'bigint':
      return { $bigint: value.toString() };
    case 'object': {
      if (value === null) return null;
      if (value instanceof Uint8Array) return { $hex: toHex(value) };
      if (Array.isArray(value)) {
        const out = new Array<JsonValue>(value.length);
        for (let i = 0; i < value.length; i++) out[i] = convertOut(value[i], `${path}[${i}]`);
        return out;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`toJSON: ${path} is a ${(value as object).constructor?.name ?? 'class instance'}, not plain data`);
      }
      const out: { [key: string]: JsonValue } = {};
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v !== undefined) out[key] = convertOut(v, `${path}.${key}`);
      }
      return out;
    }
    default:
      throw new TypeError(`toJSON: ${path} is a ${typeof value}, which JSON cannot hold`);
  }
}

/**
 * The inverse of {@link toJSON}: `{"$bigint": "123"}` -> `123n`, `{"$hex": "00ff"}` -> bytes.
 * A malformed tag (`{"$bigint": "x"}`, bad hex) is a `TypeError` naming its path.
 * `fromJSON(toJSON(x))` deep-equals `x`.
 *
 * @example
 * fromJSON({ rx: { $bigint: '5' }, mac: { $hex: '0102' } }); // { rx: 5n, mac: Uint8Array [1, 2] }
 */
export function fromJSON(value: unknown): unknown {
  return convertIn(value, '$');
}

function convertIn(value: unknown, path: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = convertIn(value[i], `${path}[${i}]`);
    return out;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const key = keys[0]!;
    const tag = obj[key];
    if (key === '$bigint') {
      if (typeof tag !== 'string' || !/^-?[0-9]+$/.test(tag)) {
        throw new TypeError(`fromJSON: ${path}.$bigint must be a decimal integer string`);
      }
      return BigInt(tag);
    }
    if (key === '$hex') {
      if (typeof tag !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(tag)) {
        throw new TypeError(`fromJSON: ${path}.$hex must be a string of hex byte pairs`);
      }
      return fromHex(tag);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = convertIn(obj[key], `${path}.${key}`);
    // JSON.parse makes "__proto__" an own key; plain assignment would change the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

/**
 * Decoded messages as JSON text (`toJSON` + `JSON.stringify`). With `space`, the text is
 * indented, but arrays of plain values and the `$bigint`/`$hex` tags stay on one line, so
 * flag lists read as `["request", "ack"]`.
 *
 * @example
 * stringify(decode(bytes), 2); // '[\n  {\n    "header": {\n      "type": "RTM_NEWLINK",\n      "flags": ["multi"], ...'
 */
export function stringify(value: unknown, space?: number | string): string {
  const json = toJSON(value);
  if (space === undefined || space === 0 || space === '') return JSON.stringify(json);
  const unit = typeof space === 'number' ? ' '.repeat(Math.min(10, space)) : space.slice(0, 10);
  return pretty(json, unit, '');
}

function isFlat(value: JsonValue): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every((v) => v === null || typeof v !== 'object');
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === '$bigint' || keys[0] === '$hex');
}

function pretty(value: JsonValue, unit: string, indent: string): string {
  if (isFlat(value)) {
    if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (value !== null && typeof value === 'object') {
      const key = Object.keys(value)[0]!;
      return `{ ${JSON.stringify(key)}: ${JSON.stringify(value[key])} }`;
    }
    return JSON.stringify(value);
  }
  const inner = indent + unit;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + pretty(v, unit, inner)).join(',\n')}\n${indent}]`;
  }
  const obj = value as { [key: string]: JsonValue };
  const keys = Object.keys(obj);
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${pretty(obj[k]!, unit, inner)}`).join(',\n')}\n${indent}}`;
}

/**
 * JSON text back to messages (`JSON.parse` + `fromJSON`); bad JSON is a `SyntaxError`.
 *
 * @example
 * const messages = parse(stringify(decode(bytes))) as Message[];
 * encode(messages); // the same bytes
 */
export function parse(text: string): unknown {
  return fromJSON(JSON.parse(text));
}
