/**
 * The schema tables generated from the kernel's YNL specs and the local overlay,
 * for printers and tools that need attribute metadata (names, types, display
 * hints, nested sets). Keys are `family/name`, e.g. `rt-link/link-attrs`.
 *
 * @example
 * ```ts
 * import { schema } from '@nlkit/nl-codec';
 * const t = schema.MESSAGE_TYPES[16];                     // { family: 'rt-link', fixedHeader: 'rt-link/ifinfomsg', attributeSet: 'rt-link/link-attrs', ... }
 * const set = schema.ATTRIBUTE_SETS[t.attributeSet!]!;    // { name: 'link-attrs', attributes: [{ name: 'address', value: 1, type: 'binary', displayHint: 'mac' }, ...] }
 * schema.SUB_MESSAGES['rt-link/linkinfo-data-msg']!.formats.veth; // { attributeSet: 'rt-link/linkinfo-veth-attrs' }
 * ```
 */
export { ATTRIBUTE_SETS, ENUMS, MESSAGE_TYPES, STRUCTS, SUB_MESSAGES } from './generated.js';
export type {
  AttrType, AttributeSetSpec, AttributeSpec, EnumSpec, MessageTypeSpec, StructMemberSpec, StructSpec,
  SubMessageFormatSpec, SubMessageSpec,
} from './types.js';
import { ATTRIBUTE_SETS } from './generated.js';
import type { AttributeSpec } from './types.js';

/**
 * Metadata of one attribute of a set, by name or type number.
 *
 * @example
 * ```ts
 * attributeInfo('rt-link/link-attrs', 'linkinfo'); // { name: 'linkinfo', value: 18, type: 'nest', nestedAttributes: 'rt-link/linkinfo-attrs' }
 * attributeInfo('rt-link/link-attrs', 3)?.name;    // 'ifname'
 * ```
 */
export function attributeInfo(setKey: string, nameOrType: string | number): AttributeSpec | undefined {
  // Own keys only: 'toString' or '__proto__' are no attribute sets.
  const set = Object.hasOwn(ATTRIBUTE_SETS, setKey) ? ATTRIBUTE_SETS[setKey] : undefined;
  if (set === undefined) return undefined;
  return set.attributes.find((a) => (typeof nameOrType === 'number' ? a.value === nameOrType : a.name === nameOrType));
}
