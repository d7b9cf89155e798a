/**
 * `addrFromBytes`: an `RTM_NEWADDR`/`RTM_DELADDR` message's bytes straight to an `Addr`, with
 * the same result as `addrFromMessage(decode(bytes)[0])` (see `./common.ts` for why).
 */
import { decode } from '@nlkit/nl-codec';
import { addrFlagNames, addrFromMessage, INFINITY_LIFE_TIME, type Addr } from '../addr.js';
import { familyName, scopeName, type Family } from '../ip.js';
import { AF_MPLS, asciiStringAt, asciiStringAtCached, attrNumber, checkedLength, ipAt, ipv4At, slashLen, u32At } from './common.js';

const SET = 'rt-addr/addr-attrs';
const IFA_ADDRESS = attrNumber(SET, 'address');
const IFA_LOCAL = attrNumber(SET, 'local');
const IFA_LABEL = attrNumber(SET, 'label');
const IFA_BROADCAST = attrNumber(SET, 'broadcast');
const IFA_CACHEINFO = attrNumber(SET, 'cacheinfo');
const IFA_FLAGS = attrNumber(SET, 'flags');
const IFA_RT_PRIORITY = attrNumber(SET, 'rt-priority');
/** Bit per lifted attribute type, to spot repeats (the codec turns a repeat into an array). */
const LIFTED = [IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS, IFA_RT_PRIORITY];
if (LIFTED.some((t) => t >= 31)) throw new Error("@nlkit/rtnl: an address attribute number no longer fits the lifter's bit set");
const MASK = LIFTED.reduce((m, t) => m | (1 << t), 0);

/** `struct ifaddrmsg` is 8 bytes after the 16-byte netlink header. */
const HDR = 24;
const AF_INET = 2;

function generic(msg: Uint8Array): Addr {
  return addrFromMessage(decode(msg)[0]!);
}

/** The label last lifted per link (by the low bits of its index): the same in every dump. */
const LABELS: (string | undefined)[] = new Array<string | undefined>(1024).fill(undefined);

const lft = (v: number): number => (v === INFINITY_LIFE_TIME ? Infinity : v);

/**
 * Lift one address message (exactly its `nlmsg_len` bytes, header included) into an `Addr`,
 * equal to what {@link addrFromMessage} gives for the decoded message. The bytes are only
 * read during the call. Throws `NetlinkDecodeError` for a malformed attribute, like `decode`.
 *
 * @example
 * ```ts
 * import { addrFromBytes } from '@nlkit/rtnl';
 * const addr = addrFromBytes(datagram.subarray(offset, offset + length));
 * console.log(addr.address, addr.linkIndex);
 * ```
 */
export function addrFromBytes(msg: Uint8Array): Addr {
  const len = checkedLength(msg, 'addrFromBytes');
  return liftAddr(msg, 0, len);
}

/**
 * @internal the lifter on the message at `b[o, o + len)` (a datagram's bytes: no view per
 * message), whose length is already known to fit.
 */
export function liftAddr(b: Uint8Array, o: number, len: number): Addr {
  return liftCommonInet(b, o, len) ?? liftAnyAddr(b, o, len);
}

/**
 * The kernel's usual IPv4 address, or `undefined` for any other shape. A function of its own,
 * and small: the optimizing compiler takes it on a background thread while a dump's first
 * repetitions run, and a large function kept it (and every compile queued behind it) busy for
 * most of those repetitions.
 */
function liftCommonInet(b: Uint8Array, o: number, len: number): Addr | undefined {
  const end = o + len;
  // The kernel's IPv4 address, in its attribute order: IFA_ADDRESS, IFA_LOCAL, IFA_LABEL,
  // IFA_FLAGS, IFA_CACHEINFO (inet_fill_ifaddr; no broadcast, priority or protocol). Nearly
  // every address of a dump has this shape: recognised by its headers and built without the
  // attribute loop, which matters most before the JIT has compiled this function (an address
  // dump's first repetitions run it interpreted).
  if (
    b[o + 16] === AF_INET &&
    len >= HDR + 44 &&
    // Attribute headers compared byte by byte, not as u32s: no call per header, which is what
    // costs most while the lifter still runs unoptimized.
    b[o + 24] === 8 && b[o + 25] === 0 && b[o + 26] === IFA_ADDRESS && b[o + 27] === 0 &&
    b[o + 32] === 8 && b[o + 33] === 0 && b[o + 34] === IFA_LOCAL && b[o + 35] === 0 &&
    b[o + 42] === IFA_LABEL && b[o + 43] === 0
  ) {
    const labelLen = b[o + 40]! | (b[o + 41]! << 8);
    const f = o + 40 + ((labelLen + 3) & ~3);
    if (
      labelLen > 4 &&
      f + 28 === end &&
      b[f] === 8 && b[f + 1] === 0 && b[f + 2] === IFA_FLAGS && b[f + 3] === 0 &&
      b[f + 8] === 20 && b[f + 9] === 0 && b[f + 10] === IFA_CACHEINFO && b[f + 11] === 0
    ) {
      const linkIndex = u32At(b, o + 20);
      const label = asciiStringAtCached(LABELS, linkIndex, b, o + 44, labelLen - 4);
      if (label !== undefined) {
        const prefixLen = b[o + 17]!;
        const local = ipv4At(b, o + 36);
        const address = local + slashLen(prefixLen);
        const scope = scopeName(b[o + 19]!);
        const flags = addrFlagNames(u32At(b, f + 4));
        const validLft = lft(u32At(b, f + 16));
        const preferredLft = lft(u32At(b, f + 12));
        // Whole literals (keys in the order the attribute walk below gives them): every field
        // is stored in the object itself, with no second allocation for fields added later.
        if (u32At(b, o + 28) === u32At(b, o + 36)) {
          return { address, scope, flags, validLft, preferredLft, linkIndex, family: 'inet', local, label };
        }
        const peer = ipv4At(b, o + 28) + slashLen(prefixLen);
        return { address, scope, flags, validLft, preferredLft, linkIndex, family: 'inet', local, peer, label };
      }
    }
  }
  return undefined;
}

/** Any address message: its attributes walked one by one. */
function liftAnyAddr(b: Uint8Array, o: number, len: number): Addr {
  if (len < HDR || b[o + 16] === AF_MPLS) return generic(b.subarray(o, o + len));
  const end = o + len;
  let address: string | undefined;
  let local: string | undefined;
  let label: string | undefined;
  let broadcast: string | undefined;
  let flagsAttr = -1;
  let priority = -1;
  let valid = -1;
  let preferred = 0;
  let seen = 0;
  let p = o + HDR;
  while (p + 4 <= end) {
    const alen = b[p]! | (b[p + 1]! << 8);
    if (alen < 4 || p + alen > end) return generic(b.subarray(o, end));
    const rawType = b[p + 2]! | (b[p + 3]! << 8);
    const d = p + 4;
    const plen = alen - 4;
    p += (alen + 3) & ~3;
    const t = rawType & 0x3fff;
    if (t >= 31 || ((MASK >>> t) & 1) === 0) continue;
    // NLA_F_* bits or a repeat: rare enough to leave to the codec.
    if (rawType !== t || (seen & (1 << t)) !== 0) return generic(b.subarray(o, end));
    seen |= 1 << t;
    if (t === IFA_ADDRESS || t === IFA_LOCAL) {
      const ip = ipAt(b, d, plen);
      if (ip === undefined) return generic(b.subarray(o, end));
      if (t === IFA_ADDRESS) address = ip;
      else local = ip;
    } else if (t === IFA_CACHEINFO) {
      if (plen !== 16) return generic(b.subarray(o, end));
      preferred = u32At(b, d);
      valid = u32At(b, d + 4);
    } else if (t === IFA_LABEL) {
      label = asciiStringAt(b, d, plen);
      if (label === undefined) return generic(b.subarray(o, end));
    } else {
      if (plen !== 4) return generic(b.subarray(o, end));
      if (t === IFA_BROADCAST) broadcast = ipv4At(b, d);
      else if (t === IFA_FLAGS) flagsAttr = u32At(b, d);
      else priority = u32At(b, d);
    }
  }
  const prefixLen = b[o + 17]!;
  const a: Addr = {
    address: (local ?? address ?? '') + slashLen(prefixLen),
    scope: scopeName(b[o + 19]!),
    // IFA_FLAGS (u32), when present, supersedes the 8-bit header field.
    flags: addrFlagNames(flagsAttr >= 0 ? flagsAttr : b[o + 18]!),
    validLft: Infinity,
    preferredLft: Infinity,
    linkIndex: u32At(b, o + 20),
    family: familyName(b[o + 16]!) as Family,
  };
  if (local !== undefined) {
    a.local = local;
    if (address !== undefined && address !== local) a.peer = address + slashLen(prefixLen);
  }
  if (broadcast !== undefined) a.broadcast = broadcast;
  if (label !== undefined) a.label = label;
  if (valid >= 0) {
    a.validLft = lft(valid);
    a.preferredLft = lft(preferred);
  }
  if (priority >= 0) a.priority = priority;
  return a;
}
