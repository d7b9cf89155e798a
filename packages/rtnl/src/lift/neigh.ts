/**
 * `neighFromBytes`: an `RTM_NEWNEIGH`/`RTM_DELNEIGH` message's bytes straight to a `Neigh`,
 * with the same result as `neighFromMessage(decode(bytes)[0])` (see `./common.ts` for why).
 */
import { decode, schema } from '@nlkit/nl-codec';
import { neighExtFlagNames, neighFlagNames, neighFromMessage, neighStateNames, type Neigh } from '../neigh.js';
import type { RouteType } from '../route.js';
import { AF_BRIDGE, familyName } from '../ip.js';
import { AF_MPLS, attrNumber, checkedLength, hexColon, ipAt, u16At, u32At } from './common.js';

const SET = 'rt-neigh/neighbour-attrs';
const NDA_DST = attrNumber(SET, 'dst');
const NDA_LLADDR = attrNumber(SET, 'lladdr');
const NDA_CACHEINFO = attrNumber(SET, 'cacheinfo');
const NDA_PROBES = attrNumber(SET, 'probes');
const NDA_VLAN = attrNumber(SET, 'vlan');
const NDA_PORT = attrNumber(SET, 'port');
const NDA_VNI = attrNumber(SET, 'vni');
const NDA_IFINDEX = attrNumber(SET, 'ifindex');
const NDA_MASTER = attrNumber(SET, 'master');
const NDA_LINK_NETNSID = attrNumber(SET, 'link-netnsid');
const NDA_SRC_VNI = attrNumber(SET, 'src-vni');
const NDA_PROTOCOL = attrNumber(SET, 'protocol');
const NDA_NH_ID = attrNumber(SET, 'nh-id');
const NDA_FLAGS_EXT = attrNumber(SET, 'flags-ext');
const LIFTED = [NDA_DST, NDA_LLADDR, NDA_CACHEINFO, NDA_PROBES, NDA_VLAN, NDA_PORT, NDA_VNI, NDA_IFINDEX, NDA_MASTER, NDA_LINK_NETNSID, NDA_SRC_VNI, NDA_PROTOCOL, NDA_NH_ID, NDA_FLAGS_EXT];
if (LIFTED.some((t) => t >= 31)) throw new Error("@nlkit/rtnl: a neighbour attribute number no longer fits the lifter's bit set");
const MASK = LIFTED.reduce((m, t) => m | (1 << t), 0);
/** u16 attributes in host order (checked against the codec's table below, so a table change fails loudly). */
const U16_MASK = 1 << NDA_VLAN;
/** NDA_PORT: the VXLAN destination port, a __be16 on the wire. */
const BE16_MASK = 1 << NDA_PORT;
const U8_MASK = 1 << NDA_PROTOCOL;
for (const name of ['vlan', 'protocol', 'probes', 'vni', 'ifindex', 'master', 'link-netnsid', 'src-vni', 'nh-id', 'flags-ext']) {
  if (schema.attributeInfo(SET, name)?.byteOrder === 'big-endian') throw new Error(`@nlkit/rtnl: the neighbour lifter reads ${name} in host order, the codec's table says big-endian`);
}
if (schema.attributeInfo(SET, 'port')?.byteOrder !== 'big-endian') throw new Error("@nlkit/rtnl: the neighbour lifter reads port big-endian, the codec's table says host order");
const CI_SIZE = schema.STRUCTS['rt-neigh/nda-cacheinfo']?.size;
if (CI_SIZE !== 16) throw new Error("@nlkit/rtnl: rt-neigh/nda-cacheinfo is not the 16-byte struct the lifter reads");

/** `ndm_type` names exactly as the codec gives them (its enum; unknown values stay numbers). */
const TYPE_NAMES: (RouteType | number)[] = Array.from({ length: 256 }, (_, i) => i);
{
  const e = schema.ENUMS['rt-neigh/rtm-type'];
  if (e === undefined) throw new Error("@nlkit/rtnl: the codec's tables lack rt-neigh/rtm-type");
  for (const [name, value] of e.entries) TYPE_NAMES[value] = name as RouteType;
}

/** `struct ndmsg` is 12 bytes after the 16-byte netlink header. */
const HDR = 28;

function generic(msg: Uint8Array): Neigh {
  return neighFromMessage(decode(msg)[0]!);
}

/**
 * Lift one neighbour message (exactly its `nlmsg_len` bytes, header included) into a `Neigh`,
 * equal to what {@link neighFromMessage} gives for the decoded message. The bytes are only
 * read during the call. Throws `NetlinkDecodeError` for a malformed attribute, like `decode`.
 *
 * @example
 * ```ts
 * import { neighFromBytes } from '@nlkit/rtnl';
 * const n = neighFromBytes(datagram.subarray(offset, offset + length));
 * console.log(n.ip, n.hardwareAddr, n.state);
 * ```
 */
export function neighFromBytes(msg: Uint8Array): Neigh {
  const len = checkedLength(msg, 'neighFromBytes');
  return liftNeigh(msg, len);
}

/** @internal the lifter on a message whose length is already known to fit. */
export function liftNeigh(b: Uint8Array, len: number): Neigh {
  if (len < HDR || b[16] === AF_MPLS) return generic(b.subarray(0, len));
  let ip: string | undefined;
  let lladdr: string | undefined;
  let ci = -1;
  const v = [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1];
  let seen = 0;
  let p = HDR;
  while (p + 4 <= len) {
    const alen = b[p]! | (b[p + 1]! << 8);
    if (alen < 4 || p + alen > len) return generic(b.subarray(0, len));
    const rawType = b[p + 2]! | (b[p + 3]! << 8);
    const d = p + 4;
    const plen = alen - 4;
    p += (alen + 3) & ~3;
    const t = rawType & 0x3fff;
    if (t >= 31) continue;
    const bit = 1 << t;
    if ((MASK & bit) === 0) continue;
    if (rawType !== t || (seen & bit) !== 0) return generic(b.subarray(0, len));
    seen |= bit;
    if (t === NDA_DST) {
      ip = ipAt(b, d, plen);
      if (ip === undefined) return generic(b.subarray(0, len));
    } else if (t === NDA_LLADDR) {
      // The codec gives 6 bytes as MAC text and other lengths as bytes, which neighFromMessage
      // formats the same way; an empty one is no address.
      if (plen > 0) lladdr = hexColon(b, d, plen);
    } else if (t === NDA_CACHEINFO) {
      if (plen !== 16) return generic(b.subarray(0, len));
      ci = d;
    } else if ((BE16_MASK & bit) !== 0) {
      if (plen !== 2) return generic(b.subarray(0, len));
      v[t] = (b[d]! << 8) | b[d + 1]!;
    } else if ((U16_MASK & bit) !== 0) {
      if (plen !== 2) return generic(b.subarray(0, len));
      v[t] = u16At(b, d);
    } else if ((U8_MASK & bit) !== 0) {
      if (plen !== 1) return generic(b.subarray(0, len));
      v[t] = b[d]!;
    } else {
      if (plen !== 4) return generic(b.subarray(0, len));
      v[t] = t === NDA_LINK_NETNSID ? u32At(b, d) | 0 : u32At(b, d);
    }
  }
  const af = b[16]!;
  const n: Neigh = {
    linkIndex: u32At(b, 20) | 0,
    family: af === AF_BRIDGE ? 'bridge' : familyName(af),
    state: neighStateNames(u16At(b, 24)),
    flags: neighFlagNames(b[26]!),
    type: TYPE_NAMES[b[27]!]!,
  };
  if (ip !== undefined) n.ip = ip;
  if (lladdr !== undefined) n.hardwareAddr = lladdr;
  if ((seen & (1 << NDA_VLAN)) !== 0) n.vlan = v[NDA_VLAN]!;
  if ((seen & (1 << NDA_VNI)) !== 0) n.vni = v[NDA_VNI]!;
  if ((seen & (1 << NDA_PORT)) !== 0) n.port = v[NDA_PORT]!;
  if ((seen & (1 << NDA_MASTER)) !== 0) n.masterIndex = v[NDA_MASTER]!;
  if ((seen & (1 << NDA_IFINDEX)) !== 0) n.vxlanLinkIndex = v[NDA_IFINDEX]!;
  if ((seen & (1 << NDA_SRC_VNI)) !== 0) n.srcVni = v[NDA_SRC_VNI]!;
  if ((seen & (1 << NDA_LINK_NETNSID)) !== 0) n.linkNetnsId = v[NDA_LINK_NETNSID]!;
  if ((seen & (1 << NDA_PROBES)) !== 0) n.probes = v[NDA_PROBES]!;
  if ((seen & (1 << NDA_PROTOCOL)) !== 0) n.protocol = v[NDA_PROTOCOL]!;
  if ((seen & (1 << NDA_NH_ID)) !== 0) n.nhId = v[NDA_NH_ID]!;
  if ((seen & (1 << NDA_FLAGS_EXT)) !== 0) n.flagsExt = neighExtFlagNames(v[NDA_FLAGS_EXT]!);
  if (ci >= 0) n.cacheinfo = { confirmed: u32At(b, ci), used: u32At(b, ci + 4), updated: u32At(b, ci + 8), refcnt: u32At(b, ci + 12) };
  return n;
}
