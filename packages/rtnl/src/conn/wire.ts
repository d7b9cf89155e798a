/**
 * Requests already in wire form. Hot operations (set an MTU, add an address, delete a link)
 * build their bytes with the codec's `MessageWriter` (or, for the fixed layouts of the
 * commonest changes, with plain stores) instead of the object form `encode()` walks: far
 * fewer steps per request, which is what a loop of a few thousand requests pays before the
 * JIT has warmed up. They are still `Message`s (a header with the type's name, for errors,
 * batches and records); the engine fills in `seq`, `pid` and its own flags in the bytes when
 * it sends them.
 */
import { MessageWriter, messageTypeNumber, type Message, type MessageHeader } from '@nlkit/nl-codec';

/** A message type by its name (`'RTM_NEWLINK'`). */
type MessageType = string;

/**
 * A request whose bytes (`nlmsghdr` included, `seq`/`pid` zero) were written already. A class
 * rather than an object literal with a symbol-keyed field: a request is made per call, and
 * before the JIT has compiled the caller, a literal with a computed key is defined through the
 * runtime, a sixth of the cost of writing a 40-byte request (measured with `--no-opt`).
 */
export class WireMessage implements Message {
  /** As any Message (spec-named fields); a wire request has none besides its bytes. */
  [key: string]: unknown;
  /** The message type (`'RTM_NEWLINK'`), which names the operation in errors. */
  declare readonly typeName: MessageType;
  /** The whole request; the engine writes `seq`, `pid` and its flags into it. */
  declare readonly bytes: Uint8Array;

  // Fields declared and set here, not as parameter properties: those compile to class fields,
  // defined by an initializer function of their own (one more call per request).
  constructor(typeName: MessageType, bytes: Uint8Array) {
    this.typeName = typeName;
    this.bytes = bytes;
  }

  /** The header as the object form has it (flags and seq are the engine's, written into `bytes`). */
  get header(): MessageHeader {
    return { type: this.typeName, flags: [], seq: 0, pid: 0 };
  }
}

/** Start writing a request of `type` with the caller's header `flags` (the engine adds its own). */
export function wireWriter(type: MessageType, flags = 0): MessageWriter {
  return new MessageWriter(messageTypeNumber(type), flags);
}

/** Wrap written bytes as a request; `type` names it in errors (`NetlinkError.operation`). */
export function wireMessage(type: MessageType, bytes: Uint8Array): WireMessage {
  return new WireMessage(type, bytes);
}

/** The bytes of a wire-form request, or undefined for the object form. */
export function wireOf(message: Message): Uint8Array | undefined {
  return message instanceof WireMessage ? message.bytes : undefined;
}

// Fixed layouts written with plain stores (link changes of u32 attributes, plain local
// addresses, routes). Every byte is stored, so they also write into reused buffers.

/** Store a little-endian u32 (byte stores: a small request lives in V8's heap, see the engine). */
export function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

/**
 * `struct nlmsghdr` at `at`: the message's length, type and the caller's flags; `seq` and `pid`
 * zero (the engine writes them when it sends).
 */
export function putHeader(b: Uint8Array, at: number, length: number, type: number, flags: number): void {
  put32(b, at, length);
  b[at + 4] = type;
  b[at + 5] = type >>> 8;
  b[at + 6] = flags;
  b[at + 7] = flags >>> 8;
  put32(b, at + 8, 0);
  put32(b, at + 12, 0);
}

/** A u32 attribute of `type` at `at` (aligned); returns where the next one starts. */
export function putU32Attr(b: Uint8Array, at: number, type: number, v: number): number {
  b[at] = 8;
  b[at + 1] = 0;
  b[at + 2] = type;
  b[at + 3] = type >>> 8;
  put32(b, at + 4, v);
  return at + 8;
}

/** An attribute of `v`'s bytes at `at`; returns the end. For address payloads (4 or 16 bytes), already aligned. */
export function putBytesAttr(b: Uint8Array, at: number, type: number, v: Uint8Array): number {
  const len = 4 + v.length;
  b[at] = len;
  b[at + 1] = len >>> 8;
  b[at + 2] = type;
  b[at + 3] = type >>> 8;
  b.set(v, at + 4);
  return at + len;
}
