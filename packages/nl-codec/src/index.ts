/**
 * `@nlkit/nl-codec`: a zero-dependency, lossless codec for Linux rtnetlink (NETLINK_ROUTE)
 * messages, driven by tables generated from the kernel's YNL specs. No I/O: bytes in,
 * objects out, and back. Runs in Node and in browsers.
 *
 * @example
 * import { decode, encode, format } from '@nlkit/nl-codec';
 * const messages = decode(datagram);       // Message[]
 * console.log(format(messages));           // readable tree
 * const bytes = encode(messages);          // the same bytes again
 *
 * @packageDocumentation
 */
export { decode, type DecodeOptions } from './message/decode.js';
export { bodyCodecForType, type BodyCodec } from './body.js';
export { encode } from './message/encode.js';
export { attributePath } from './message/path.js';
export { MessageWriter } from './writer.js';
/**
 * The codec's byte-to-text formatters, for lifters that read a few fields straight from message
 * bytes and must give the same text `decode()` gives: a MAC (6 bytes), any link-layer address
 * as colon hex, IPv4/IPv6 (RFC 5952), and a string payload (undefined when not NUL-free UTF-8).
 *
 * @example
 * import { macText, ipv6Text } from '@nlkit/nl-codec';
 * macText(bytes, 0);   // '02:00:00:00:00:01'
 * ipv6Text(bytes, 8);  // '2001:db8::1'
 */
export { macText, hexColon, ipv4Text, ipv6Text, utf8Text } from './attrs/text.js';
/**
 * A new empty plain object, as `{}` but in a third of the memory: what the codec returns for an
 * empty nest, for lifters that build many empty objects of their own.
 *
 * @example
 * import { emptyRecord } from '@nlkit/nl-codec';
 * const data = emptyRecord(); // {} (Object.getPrototypeOf(data) === Object.prototype)
 */
export { emptyRecord } from './attrs/values.js';
export {
  NLMSG_HDRLEN,
  type DoneMessage,
  type ErrorMessage,
  type ExtAckAttrs,
  type Message,
  type MessageHeader,
  type MessageInput,
} from './message/message.js';
export * from './message/types.js';
export * from './message/flags.js';
export { errnoName, errnoNumber, ERRNO_NAMES } from './message/errno.js';
export { toJSON, fromJSON, stringify, parse, toHex, fromHex, type JsonValue } from './json.js';
export { format, type FormatOptions } from './print/format.js';
export { summary } from './print/summary.js';
export { locateMessages, messageLayout, type MessageSource, type MessageLayout, type AttrLayout, type AttrsLayout, type Span } from './print/layout.js';
export { NetlinkDecodeError } from './attrs/errors.js';
/**
 * The generated spec tables (attribute sets, structs, enums, sub-messages, message types),
 * for printers and tools that need display hints.
 *
 * @example
 * import { schema } from '@nlkit/nl-codec';
 * schema.attributeInfo('rt-link/link-attrs', 'mtu'); // { name: 'mtu', value: 4, type: 'u32' }
 */
export * as schema from './schema/index.js';
// Capture files (pcap, pcapng, strace, hex, raw): readers and writers, see src/capture/README.md.
export * from './capture/index.js';
