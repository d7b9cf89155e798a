/**
 * Requests already in wire form. Hot operations (set an MTU, add an address, delete a link)
 * build their bytes with the codec's `MessageWriter` instead of the object form `encode()`
 * walks: far fewer steps per request, which is what a loop of a few thousand requests pays
 * before the JIT has warmed up. They stay ordinary `Message`s (header with the type's name,
 * for errors, batches and records); the bytes ride along under a symbol, and the engine
 * fills in `seq`, `pid` and its own flags when it sends them.
 */
import { MessageWriter, messageTypeNumber, type Message } from '@nlkit/nl-codec';

/** A message type by its name (`'RTM_NEWLINK'`). */
type MessageType = string;

/** Where a wire-form request keeps its bytes. */
export const WIRE: unique symbol = Symbol('nlkit.wire');

/** A request whose bytes (`nlmsghdr` included, `seq`/`pid` zero) were written already. */
export interface WireMessage extends Message {
  [WIRE]: Uint8Array;
}

/** Start writing a request of `type` with the caller's header `flags` (the engine adds its own). */
export function wireWriter(type: MessageType, flags = 0): MessageWriter {
  return new MessageWriter(messageTypeNumber(type), flags);
}

/** Wrap written bytes as a request; `type` names it in errors (`NetlinkError.operation`). */
export function wireMessage(type: MessageType, bytes: Uint8Array): WireMessage {
  return { header: { type, flags: [], seq: 0, pid: 0 }, [WIRE]: bytes };
}

/** The bytes of a wire-form request, or undefined for the object form. */
export function wireOf(message: Message): Uint8Array | undefined {
  return (message as Partial<WireMessage>)[WIRE];
}
