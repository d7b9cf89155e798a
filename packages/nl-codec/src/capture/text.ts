/**
 * Text helpers for the hex and strace readers. Input bytes are read as
 * Latin-1, one character per byte, so character offsets in errors equal byte
 * offsets in the file (both formats are ASCII; strace escapes everything else).
 */

/** Decodes bytes one character per byte (Latin-1); strings pass through. */
export function toText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  if (!(input instanceof Uint8Array)) throw new TypeError('input must be a string or a Uint8Array');
  let text = '';
  // Chunked: spreading a large array into one call overflows the stack.
  for (let i = 0; i < input.length; i += 8192) {
    text += String.fromCharCode(...input.subarray(i, i + 8192));
  }
  return text;
}

/** Calls `fn` for each line (without its `\n` or `\r\n`), with its 1-based number and start offset. */
export function forEachLine(text: string, fn: (line: string, number: number, offset: number) => void): void {
  let start = 0;
  let number = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    const last = end === -1;
    if (last) end = text.length;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (!(last && start === text.length && number > 1)) fn(text.slice(start, stop), number, start);
    if (last) break;
    start = end + 1;
    number++;
  }
}

const HEX = '0123456789abcdef';

/** Lowercase hex of bytes, optionally with a separator between bytes. */
export function toHex(bytes: Uint8Array, separator = ''): string {
  const parts: string[] = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    parts[i] = HEX[b >> 4]! + HEX[b & 15]!;
  }
  return parts.join(separator);
}

/** Value of a hex digit's char code, or -1. */
export function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** A growable byte buffer: text readers append one byte at a time. */
export class ByteSink {
  private buffer = new Uint8Array(256);
  length = 0;

  push(byte: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = byte;
  }

  /** A copy of the bytes pushed so far. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
