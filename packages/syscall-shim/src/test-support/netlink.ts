/**
 * The one netlink request the shim's tests send, built by hand (this package knows no
 * protocol): nlmsghdr (16 bytes) + ifinfomsg (16), an RTM_GETLINK for link `index`.
 */
export const RTM_GETLINK = 18;
export const NLM_F_REQUEST = 1;
export const NLM_F_ACK = 4;
export const NLM_F_DUMP = 0x300;

/** RTM_GETLINK with header `flags` and `seq` for link `index` (0 with NLM_F_DUMP: every link). */
export function getlinkRequest(seq: number, flags: number, index = 0): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setUint32(0, 32, true);
  v.setUint16(4, RTM_GETLINK, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  v.setInt32(20, index, true);
  return b;
}
