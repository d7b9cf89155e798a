/**
 * The only error the decoder throws: the bytes cannot be netlink at `offset`
 * (an attribute length below 4 or past the end of its container, a body that
 * ends inside an attribute header, ...).
 *
 * @example
 * ```ts
 * try { codec.decode(bytes, view, 0, bytes.length, {}); }
 * catch (e) { if (e instanceof NetlinkDecodeError) console.log(e.offset); }
 * ```
 */
export class NetlinkDecodeError extends Error {
  /** Byte offset (in the buffer given to the decoder) where the problem starts. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'NetlinkDecodeError';
    this.offset = offset;
  }
}
