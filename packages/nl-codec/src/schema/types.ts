/**
 * Shapes of the generated schema tables (`generated.ts`). Every reference between
 * tables is a key of the form `family/name` (e.g. `rt-link/link-attrs`), because
 * definition names are only unique inside one family.
 */

/** Attribute types of the YNL netlink-raw format, plus the overlay extension `x-struct-nest-list`. */
export type AttrType =
  | 'unused'
  | 'pad'
  | 'flag'
  | 'binary'
  | 'bitfield32'
  | 'uint'
  | 'sint'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 's8'
  | 's16'
  | 's32'
  | 's64'
  | 'string'
  | 'nest'
  | 'indexed-array'
  | 'nest-type-value'
  | 'sub-message'
  | 'x-struct-nest-list';

/** One attribute of a set, as the spec describes it (resolved, with its type number). */
export interface AttributeSpec {
  /** Spec name, e.g. `ifname`; the key used in decoded objects. */
  readonly name: string;
  /** Attribute type number on the wire (`nla_type & 0x3fff`). */
  readonly value: number;
  readonly type: AttrType;
  readonly byteOrder?: 'big-endian' | 'little-endian';
  /** Enum or flags definition key (`family/name`). */
  readonly enum?: string;
  /** The enum is a bit mask: values are arrays of names. */
  readonly enumAsFlags?: boolean;
  /** Formatting hint: `mac`, `ipv4`, `ipv6`, `ipv4-or-v6`, `hex`, `uuid`, `fddi`. */
  readonly displayHint?: string;
  /** Struct key for struct-typed binaries (and the item struct of `x-struct-nest-list`). */
  readonly struct?: string;
  /** Nested attribute set key for `nest`, `indexed-array` of nests, `x-struct-nest-list`. */
  readonly nestedAttributes?: string;
  /** Element type of binary arrays and indexed arrays (`u32`, `binary`, `nest`, ...). */
  readonly subType?: string;
  readonly multiAttr?: boolean;
  /** Sub-message key and the sibling attribute whose value selects the format. */
  readonly subMessage?: string;
  readonly selector?: string;
  /** Overlay: a nest whose payload starts with this struct (veth `peer`). */
  readonly fixedHeader?: string;
  /** Overlay: NLA_F_* bits this attribute normally carries on the wire (default 0). */
  readonly nlaFlags?: number;
  /** Overlay: a binary that is an array of `struct` items. */
  readonly structArray?: boolean;
  /** Overlay (`x-struct-nest-list`): struct member holding the item length. */
  readonly lengthMember?: string;
  readonly checks?: Readonly<Record<string, number | boolean | string>>;
}

export interface AttributeSetSpec {
  readonly name: string;
  readonly family: string;
  readonly attributes: readonly AttributeSpec[];
}

export interface EnumSpec {
  readonly name: string;
  /** `enum`: plain values; `flags`: each entry is one bit value. */
  readonly type: 'enum' | 'flags';
  readonly entries: ReadonlyArray<readonly [string, number]>;
}

export interface StructMemberSpec {
  readonly name: string;
  readonly type: 'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64' | 'binary' | 'pad' | 'string';
  readonly offset: number;
  readonly size: number;
  readonly byteOrder?: 'big-endian' | 'little-endian';
  readonly enum?: string;
  readonly enumAsFlags?: boolean;
  readonly displayHint?: string;
  readonly struct?: string;
}

export interface StructSpec {
  readonly name: string;
  /** Size in bytes with C alignment. */
  readonly size: number;
  readonly members: readonly StructMemberSpec[];
}

export interface SubMessageFormatSpec {
  readonly fixedHeader?: string;
  readonly attributeSet?: string;
  /** Overlay: NLA_F_* bits the attribute carries when this format is selected (overrides the attribute's). */
  readonly nlaFlags?: number;
}

export interface SubMessageSpec {
  readonly name: string;
  /** Selector value (e.g. link kind `veth`) -> format. */
  readonly formats: Readonly<Record<string, SubMessageFormatSpec>>;
}

export interface MessageTypeSpec {
  /** Family (spec) name, e.g. `rt-link`. */
  readonly family: string;
  /** Operation name of the spec that first declared this type (`newlink`, `getlink`, ...). */
  readonly operation: string;
  readonly fixedHeader?: string;
  readonly attributeSet?: string;
}
