#!/usr/bin/env node
// Generates the schema tables from the kernel's YNL specs (../shared/specs)
// merged with the local overlay (spec-overlay/*.yaml).
//
// Writes src/schema/generated.ts (tables) and src/schema/structs.generated.ts
// (straight-line struct decoders).
// Usage: node scripts/gen-tables.mjs [--specs DIR] [--out-dir DIR] [--check | --stdout]
//   --check   exit 1 if the committed output differs from what would be generated.
//   --stdout  print the output instead of writing it.
//
// The runtime library never reads YAML: it only imports the generated data, so it
// stays zero-dependency. Everything here is deterministic (no dates, stable order)
// so the output is reproducible and tested (src/schema/generated.test.ts).
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');

/** Families taken from the kernel specs, in this order. */
const KERNEL_FAMILIES = ['rt-link', 'rt-addr', 'rt-route', 'rt-neigh'];

const SCALARS = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64']);
const WIDTH = { u8: 1, u16: 2, u32: 4, u64: 8, s8: 1, s16: 2, s32: 4, s64: 8 };
const ATTR_TYPES = new Set([
  'unused', 'pad', 'flag', 'binary', 'bitfield32', 'uint', 'sint', ...SCALARS, 'string',
  'nest', 'indexed-array', 'nest-type-value', 'sub-message',
  // overlay extension: rtnexthop-style list (struct with a u16 length member, then attributes)
  'x-struct-nest-list',
]);
/** Attribute keys the generator carries into the tables (everything else is documentation). */
const ATTR_KEYS = {
  type: 'type', 'byte-order': 'byteOrder', enum: 'enum', 'enum-as-flags': 'enumAsFlags',
  'display-hint': 'displayHint', struct: 'struct', 'nested-attributes': 'nestedAttributes',
  'sub-type': 'subType', 'multi-attr': 'multiAttr', 'sub-message': 'subMessage', selector: 'selector',
  // overlay extensions (documented in SCHEMA.md)
  'x-fixed-header': 'fixedHeader', 'x-nla-flags': 'nlaFlags', 'x-struct-array': 'structArray',
  'x-length-member': 'lengthMember',
};

function fail(msg) {
  throw new Error(`gen-tables: ${msg}`);
}

function loadYaml(path) {
  return parse(readFileSync(path, 'utf8'));
}

/** Merge an overlay document into a family document (same YNL shape). */
function mergeFamily(base, over, file) {
  if (!base) return structuredClone(over);
  for (const def of over.definitions ?? []) {
    const i = (base.definitions ??= []).findIndex((d) => d.name === def.name);
    if (i >= 0) {
      // An overlay struct with an existing name appends members (kernel structs grow:
      // rta_cacheinfo has 8 members, the spec lists 5).
      const cur = base.definitions[i];
      if (cur.type !== 'struct' || def.type !== 'struct') fail(`${file}: definition ${def.name} already exists in ${base.name}`);
      cur.members = [...cur.members, ...def.members];
      continue;
    }
    base.definitions.push(def);
  }
  for (const set of over['attribute-sets'] ?? []) {
    const sets = (base['attribute-sets'] ??= []);
    const cur = sets.find((s) => s.name === set.name);
    if (!cur) {
      sets.push(set);
      continue;
    }
    // An overlay set with an existing name patches attributes by name (or appends).
    for (const attr of set.attributes ?? []) {
      const a = cur.attributes.find((x) => x.name === attr.name);
      if (a) Object.assign(a, attr);
      else cur.attributes.push(attr);
    }
  }
  for (const sm of over['sub-messages'] ?? []) {
    const sms = (base['sub-messages'] ??= []);
    const cur = sms.find((s) => s.name === sm.name);
    if (!cur) {
      sms.push(sm);
      continue;
    }
    for (const f of sm.formats) {
      if (cur.formats.some((x) => x.value === f.value)) fail(`${file}: format ${sm.name}/${f.value} exists`);
      cur.formats.push(f);
    }
  }
  if (over.operations) {
    base.operations ??= { list: [] };
    for (const op of over.operations.list ?? []) base.operations.list.push({ 'fixed-header': over.operations['fixed-header'], ...op });
  }
  return base;
}

/** `x-nla-flags`: a name or a list of names (`[]` = none) -> NLA_F_* bits. */
function nlaFlags(v, where) {
  const bits = { nested: 0x8000, 'net-byteorder': 0x4000 };
  return [].concat(v).reduce((acc, n) => acc | (bits[n] ?? fail(`${where}: bad x-nla-flags ${n}`)), 0);
}

function enumEntries(def) {
  const out = [];
  const start = def['value-start'] ?? 0;
  let next = start;
  for (const e of def.entries ?? []) {
    const ent = typeof e === 'string' ? { name: e } : e;
    let v;
    if (def.type === 'flags') {
      // nlspec.py: a flags entry's `value` is its bit number (user value 1 << value)
      const bit = ent.value !== undefined ? Number(ent.value) : next;
      v = 2 ** bit;
      next = bit + 1;
    } else {
      v = ent.value !== undefined ? Number(ent.value) : next;
      next = v + 1;
    }
    out.push([String(ent.name), v]);
  }
  return out;
}

function structLayout(fam, def, defsByName) {
  let off = 0;
  let maxAlign = 1;
  const members = [];
  for (const m of def.members ?? []) {
    const mem = { name: String(m.name), type: m.type };
    if (/^(0|[1-9][0-9]*)$/.test(mem.name) || mem.name.startsWith('$') || mem.name === 'attrs')
      fail(`${fam}: struct ${def.name}: member name ${mem.name} would break the object form`);
    let size;
    let align;
    if (SCALARS.has(m.type)) {
      size = WIDTH[m.type];
      align = size;
    } else if (m.type === 'binary' || m.type === 'pad' || m.type === 'string') {
      if (m.struct) {
        const sub = defsByName.get(m.struct);
        if (!sub) fail(`${fam}: struct ${def.name} member ${m.name}: unknown struct ${m.struct}`);
        const lay = structLayout(fam, sub, defsByName);
        size = lay.size;
        align = lay.align;
        mem.struct = `${fam}/${m.struct}`;
      } else {
        if (m.len === undefined) fail(`${fam}: struct ${def.name} member ${m.name}: ${m.type} without len`);
        size = Number(m.len);
        align = 1;
      }
    } else fail(`${fam}: struct ${def.name} member ${m.name}: unsupported type ${m.type}`);
    // C layout: the kernel structs are plain C structs, so members sit at their natural
    // alignment (ifla_vf_guid {u32; u64} is 16 bytes, not 12).
    const aligned = Math.ceil(off / align) * align;
    // Implicit C padding is a pad member too, so nonzero bytes there survive.
    if (aligned > off) members.push({ name: `pad@${off}`, type: 'pad', offset: off, size: aligned - off });
    off = aligned;
    maxAlign = Math.max(maxAlign, align);
    mem.offset = off;
    mem.size = size;
    if (m['byte-order']) mem.byteOrder = m['byte-order'];
    if (m.enum) mem.enum = `${fam}/${m.enum}`;
    if (m['enum-as-flags']) mem.enumAsFlags = true;
    if (m['display-hint']) mem.displayHint = m['display-hint'];
    members.push(mem);
    off += size;
  }
  const size = Math.ceil(off / maxAlign) * maxAlign;
  if (size > off) members.push({ name: `pad@${off}`, type: 'pad', offset: off, size: size - off });
  return { members, size, align: maxAlign };
}

export function generate({ specsDir = resolve(pkg, '../../../shared/specs'), overlayDir = join(pkg, 'spec-overlay') } = {}) {
  if (!existsSync(specsDir)) fail(`specs directory not found: ${specsDir}`);
  const families = new Map();
  for (const f of KERNEL_FAMILIES) families.set(f, loadYaml(join(specsDir, `${f}.yaml`)));
  const overlayFiles = existsSync(overlayDir) ? readdirSync(overlayDir).filter((f) => f.endsWith('.yaml')).sort() : [];
  for (const file of overlayFiles) {
    const doc = loadYaml(join(overlayDir, file));
    if (!doc?.name) fail(`${file}: missing name`);
    families.set(doc.name, mergeFamily(families.get(doc.name), doc, file));
  }

  const enums = {};
  const structs = {};
  const sets = {};
  const subMessages = {};
  const messageTypes = {};

  for (const [fam, doc] of families) {
    const defsByName = new Map((doc.definitions ?? []).map((d) => [d.name, d]));
    for (const def of doc.definitions ?? []) {
      const key = `${fam}/${def.name}`;
      if (def.type === 'enum' || def.type === 'flags') {
        enums[key] = { name: def.name, type: def.type, entries: enumEntries(def) };
      } else if (def.type === 'struct') {
        const lay = structLayout(fam, def, defsByName);
        structs[key] = { name: def.name, size: lay.size, members: lay.members };
      } else if (def.type === 'const') {
        // constants carry no wire format
      } else fail(`${fam}: definition ${def.name}: unsupported type ${def.type}`);
    }

    const rawSets = new Map((doc['attribute-sets'] ?? []).map((s) => [s.name, s]));
    const resolveSet = (s) => {
      const attrs = [];
      let next = 1; // nlspec.py: a set starts at 1 (0 = UNSPEC) unless a value says otherwise
      const parent = s['subset-of'] ? rawSets.get(s['subset-of']) : undefined;
      if (s['subset-of'] && !parent) fail(`${fam}: ${s.name}: subset-of unknown set ${s['subset-of']}`);
      const parentAttrs = parent ? resolveSet(parent).attrs : undefined;
      for (const a of s.attributes ?? []) {
        let src = a;
        let value;
        if (parentAttrs) {
          const p = parentAttrs.find((x) => x.name === a.name);
          if (!p) fail(`${fam}: ${s.name}: ${a.name} not in ${s['subset-of']}`);
          src = { ...p.src, ...a };
          value = p.value;
        } else {
          value = a.value !== undefined ? Number(a.value) : next;
        }
        next = value + 1;
        attrs.push({ name: String(a.name), value, src });
      }
      return { attrs };
    };
    for (const s of doc['attribute-sets'] ?? []) {
      const key = `${fam}/${s.name}`;
      const { attrs } = resolveSet(s);
      const out = [];
      for (const { name, value, src } of attrs) {
        if (!ATTR_TYPES.has(src.type)) fail(`${fam}: ${s.name}.${name}: unsupported type ${src.type}`);
        if (name.startsWith('$') || name in Object.prototype) fail(`${fam}: ${s.name}.${name}: reserved name`);
        // JavaScript puts integer-like keys first, which would break wire order
        if (/^(0|[1-9][0-9]*)$/.test(name)) fail(`${fam}: ${s.name}.${name}: integer-like attribute names cannot keep wire order`);
        const a = { name, value };
        for (const [k, v] of Object.entries(ATTR_KEYS)) {
          if (src[k] === undefined || src[k] === false) continue;
          if (k === 'struct' || k === 'x-fixed-header' || k === 'enum') a[v] = `${fam}/${src[k]}`;
          else if (k === 'nested-attributes') a[v] = `${fam}/${src[k]}`;
          else if (k === 'sub-message') a[v] = `${fam}/${src[k]}`;
          else if (k === 'x-nla-flags') a[v] = nlaFlags(src[k], `${fam}: ${s.name}.${name}`);
          else a[v] = src[k];
        }
        if (src.checks) {
          const c = src.checks;
          const checks = {};
          for (const k of ['exact-len', 'min-len', 'max-len', 'min', 'max', 'unterminated-ok']) if (c[k] !== undefined) checks[k] = c[k];
          if (Object.keys(checks).length) a.checks = checks;
        }
        if (out.some((x) => x.value === value)) fail(`${fam}: ${s.name}: duplicate value ${value}`);
        out.push(a);
      }
      sets[key] = { name: s.name, family: fam, attributes: out };
    }

    for (const sm of doc['sub-messages'] ?? []) {
      const formats = {};
      for (const f of sm.formats) {
        const fmt = {};
        if (f['fixed-header']) fmt.fixedHeader = `${fam}/${f['fixed-header']}`;
        if (f['attribute-set']) fmt.attributeSet = `${fam}/${f['attribute-set']}`;
        if (f['x-nla-flags'] !== undefined) fmt.nlaFlags = nlaFlags(f['x-nla-flags'], `${fam}: ${sm.name}/${f.value}`);
        formats[String(f.value)] = fmt;
      }
      subMessages[`${fam}/${sm.name}`] = { name: sm.name, formats };
    }

    const ops = doc.operations ?? {};
    for (const op of ops.list ?? []) {
      const fixedHeader = op['fixed-header'] ?? ops['fixed-header'];
      const attributeSet = op['attribute-set'];
      const add = (value, dir) => {
        if (value === undefined) return;
        if (!attributeSet && op.notify === undefined) return;
        const cur = messageTypes[value];
        const entry = {
          family: fam,
          operation: op.name,
          fixedHeader: fixedHeader ? `${fam}/${fixedHeader}` : undefined,
          attributeSet: attributeSet ? `${fam}/${attributeSet}` : undefined,
        };
        if (op.notify !== undefined) {
          const target = (ops.list ?? []).find((o) => o.name === op.notify);
          entry.attributeSet = `${fam}/${target['attribute-set']}`;
          entry.fixedHeader ??= (target['fixed-header'] ?? ops['fixed-header']) ? `${fam}/${target['fixed-header'] ?? ops['fixed-header']}` : undefined;
        }
        if (cur) {
          if (cur.family !== entry.family || cur.fixedHeader !== entry.fixedHeader || cur.attributeSet !== entry.attributeSet)
            fail(`message type ${value} (${dir} of ${fam}/${op.name}) conflicts with ${cur.family}/${cur.operation}`);
          return;
        }
        messageTypes[value] = entry;
      };
      if (op.value !== undefined) add(Number(op.value), 'notify');
      for (const k of ['do', 'dump']) {
        add(op[k]?.request?.value, `${k} request`);
        add(op[k]?.reply?.value, `${k} reply`);
      }
    }
  }

  // Referential integrity: every reference must resolve, so the runtime can trust the tables.
  for (const [k, s] of Object.entries(sets)) {
    for (const a of s.attributes) {
      if (a.nestedAttributes && !sets[a.nestedAttributes]) fail(`${k}.${a.name}: unknown set ${a.nestedAttributes}`);
      if (a.struct && !structs[a.struct]) fail(`${k}.${a.name}: unknown struct ${a.struct}`);
      if (a.fixedHeader && !structs[a.fixedHeader]) fail(`${k}.${a.name}: unknown struct ${a.fixedHeader}`);
      if (a.enum && !enums[a.enum]) fail(`${k}.${a.name}: unknown enum ${a.enum}`);
      if (a.subMessage && !subMessages[a.subMessage]) fail(`${k}.${a.name}: unknown sub-message ${a.subMessage}`);
      if (a.type === 'sub-message' && (!a.subMessage || !a.selector)) fail(`${k}.${a.name}: sub-message needs sub-message and selector`);
      if (a.type === 'nest' && !a.nestedAttributes) fail(`${k}.${a.name}: nest without nested-attributes`);
    }
  }
  for (const [k, sm] of Object.entries(subMessages)) {
    for (const [v, f] of Object.entries(sm.formats)) {
      if (f.attributeSet && !sets[f.attributeSet]) fail(`${k}/${v}: unknown set ${f.attributeSet}`);
      if (f.fixedHeader && !structs[f.fixedHeader]) fail(`${k}/${v}: unknown struct ${f.fixedHeader}`);
    }
  }
  for (const s of Object.values(structs)) for (const m of s.members) if (m.enum && !enums[m.enum]) fail(`${s.name}.${m.name}: unknown enum ${m.enum}`);
  // Body keys share the message object with the message layer's own keys.
  const MESSAGE_KEYS = new Set(['header', 'error', 'errno', 'request', 'payload', 'trailing', 'packet', 'attrs', 'attributePath']);
  for (const [v, t] of Object.entries(messageTypes)) {
    if (t.fixedHeader && !structs[t.fixedHeader]) fail(`type ${v}: unknown struct ${t.fixedHeader}`);
    for (const m of t.fixedHeader ? structs[t.fixedHeader].members : [])
      if (MESSAGE_KEYS.has(m.name)) fail(`type ${v}: header member ${m.name} clashes with a message key`);
    if (t.attributeSet && !sets[t.attributeSet]) fail(`type ${v}: unknown set ${t.attributeSet}`);
  }

  return {
    tables: render({ enums, structs, sets, subMessages, messageTypes, overlayFiles }),
    decoders: renderStructDecoders({ enums, structs }),
  };
}

/**
 * Straight-line decoders per struct: one object literal each, so V8 builds the
 * result with a single fast-mode allocation instead of a store per member at a
 * megamorphic site. Semantics are those of decodeStructInto (src/attrs/decode.ts);
 * the property test and the round-trip tests compare the two paths.
 */
/** Prefix the parameters `b`/`v` with `_` where a generated function does not use them. */
function unusedParams(src) {
  const nl = src.indexOf('{\n');
  const body = src.slice(nl);
  let head = src.slice(0, nl);
  if (!/\bb[[.,)]/.test(body)) head = head.replace('(b: Uint8Array', '(_b: Uint8Array').replace(', b: Uint8Array', ', _b: Uint8Array');
  if (!/\bv[.,)]/.test(body)) head = head.replace('v: DataView', '_v: DataView');
  return head + body;
}

function renderStructDecoders({ enums, structs }) {
  const keys = Object.keys(structs);
  const fn = new Map(keys.map((k, i) => [k, `s${i}`]));
  const enumVars = new Map();
  const ev = (k) => {
    if (!enumVars.has(k)) enumVars.set(k, `E${enumVars.size}`);
    return enumVars.get(k);
  };
  const bodies = [];
  for (const k of keys) {
    const st = structs[k];
    const props = [];
    const pads = [];
    let usesT = false;
    for (const m of st.members) {
      const at = m.offset === 0 ? 'p' : `p + ${m.offset}`;
      const le = m.byteOrder === 'big-endian' ? 'false' : 'true';
      let e;
      switch (m.type) {
        case 'pad':
          pads.push(m);
          continue;
        case 'u8': e = `b[${at}]!`; break;
        case 's8': e = `v.getInt8(${at})`; break;
        case 'u16': e = `v.getUint16(${at}, ${le})`; break;
        case 's16': e = `v.getInt16(${at}, ${le})`; break;
        case 'u32': e = `v.getUint32(${at}, ${le})`; break;
        case 's32': e = `v.getInt32(${at}, ${le})`; break;
        case 'u64':
          // Inline (a call per counter does not get inlined 25 times in one function): small
          // values from the shared cache, as readU64 does.
          if (le === 'true') {
            e = `((t = v.getUint32(${at}, true)) < SMALL_BIGINT_LIMIT && v.getUint32(${at} + 4, true) === 0 ? SMALL_BIGINTS[t]! : v.getBigUint64(${at}, true))`;
            usesT = true;
          } else e = `readU64(v, ${at}, ${le})`;
          break;
        case 's64': e = `v.getBigInt64(${at}, ${le})`; break;
        default:
          if (m.struct) e = `${fn.get(m.struct)}(b, v, ${at})`;
          else if (m.type === 'binary' && m.displayHint === 'mac' && m.size === 6) e = `macText(b, ${at})`;
          else if (m.type === 'binary' && (m.displayHint === 'ipv4' || m.displayHint === 'ipv6') && (m.size === 4 || m.size === 16))
            e = `${m.size === 4 ? 'ipv4Text' : 'ipv6Text'}(b, ${at})`;
          else e = `b.slice(${at}, p + ${m.offset + m.size})`;
      }
      if (m.enum && ['u8', 'u16', 'u32', 's8', 's16', 's32'].includes(m.type)) {
        const flags = m.enumAsFlags || enums[m.enum].type === 'flags';
        e = `${flags ? 'flagNames' : 'enumName'}(${ev(m.enum)}, ${e})`;
      }
      props.push(`    ${JSON.stringify(m.name)}: ${e},`);
    }
    const lines = [`/** ${k} (${st.size} bytes) */`, `function ${fn.get(k)}(b: Uint8Array, v: DataView, p: number): Record<string, unknown> {`];
    if (usesT) lines.push('  let t = 0;');
    lines.push(`  const o: Record<string, unknown> = {`, ...props, '  };');
    for (const m of pads) {
      const end = `p + ${m.offset + m.size}`;
      lines.push(`  for (let i = p + ${m.offset}; i < ${end}; i++) if (b[i] !== 0) { ((o.$pad ??= {}) as Record<string, Uint8Array>)[${JSON.stringify(m.name)}] = b.slice(p + ${m.offset}, ${end}); break; }`);
    }
    lines.push('  return o;', '}');
    bodies.push(unusedParams(lines.join('\n')));
  }
  // Encoders: the mirror image (same checks and messages as writeStruct/writeMember
  // in src/attrs/encode.ts; a property test compares the two).
  const KIND = { u8: 1, u16: 2, u32: 3, u64: 4, s8: 5, s16: 6, s32: 7, s64: 8 };
  const FITS = { u8: '(x & 0xff) === x', u16: '(x & 0xffff) === x', u32: 'x >>> 0 === x', s8: '(x << 24) >> 24 === x', s16: '(x << 16) >> 16 === x', s32: '(x | 0) === x' };
  const enc = [];
  for (const k of keys) {
    const st = structs[k];
    const name = fn.get(k).replace('s', 'w');
    const lines = [`/** ${k} */`, `function ${name}(o: Record<string, unknown>, b: Uint8Array, v: DataView, p: number): void {`, `  b.fill(0, p, p + ${st.size});`];
    const members = st.members.filter((m) => m.type !== 'pad');
    if (members.length > 0) {
      lines.push(`  let k = '';`, `  let x: unknown;`, `  try {`);
      for (const m of members) {
        const at = m.offset === 0 ? 'p' : `p + ${m.offset}`;
        const le = m.byteOrder === 'big-endian' ? 'false' : 'true';
        const key = JSON.stringify(m.name);
        let w;
        if (KIND[m.type] !== undefined) {
          const kind = KIND[m.type];
          if (m.type === 'u64' || m.type === 's64') w = `v.${m.type === 'u64' ? 'setBigUint64' : 'setBigInt64'}(${at}, bigValue(${kind}, x), ${le});`;
          else {
            let n;
            if (m.enum) {
              const flags = m.enumAsFlags || enums[m.enum].type === 'flags';
              n = `scalarNumber(${kind}, ${ev(m.enum)}, ${flags}, x)`;
            } else n = `typeof x === 'number' && ${FITS[m.type]} ? x : scalarNumber(${kind}, null, false, x)`;
            if (m.type === 'u8' || m.type === 's8') w = `b[${at}] = (${n}) & 0xff;`;
            else if (m.type === 'u16' || m.type === 's16') w = `v.setUint16(${at}, (${n}) & 0xffff, ${le});`;
            else w = `v.setUint32(${at}, (${n}) >>> 0, ${le});`;
          }
        } else if (m.struct) {
          w = `{ if (typeof x !== 'object' || x === null || Array.isArray(x) || x instanceof Uint8Array) throw typeError(${JSON.stringify(`a ${structs[m.struct].name} object`)}, x); ${fn.get(m.struct).replace('s', 'w')}(x as Record<string, unknown>, b, v, ${at}); }`;
        } else if (m.type === 'binary' && m.displayHint === 'mac' && m.size === 6) {
          w = `{ const m = typeof x === 'string' ? parseMac(x) : x; if (!(m instanceof Uint8Array) || m.length !== 6) throw typeError('a MAC address', x); b.set(m, ${at}); }`;
        } else if (m.type === 'binary' && (m.displayHint === 'ipv4' || m.displayHint === 'ipv6') && (m.size === 4 || m.size === 16)) {
          w = `{ const m = typeof x === 'string' ? parseIp(x) : x; if (!(m instanceof Uint8Array) || m.length !== ${m.size}) throw typeError('an IPv${m.size === 4 ? 4 : 6} address', x); b.set(m, ${at}); }`;
        } else {
          w = `{ if (!(x instanceof Uint8Array)) throw typeError('a Uint8Array', x); if (x.length > ${m.size}) throw new RangeError(\`\${x.length} bytes do not fit ${m.size}\`); b.set(x, ${at}); }`;
        }
        lines.push(`    k = ${key};`, `    x = o[${key}];`, `    if (x !== undefined) ${w}`);
      }
      lines.push('  } catch (e) {', '    throw withPath(e, `.${k}`);', '  }');
    }
    const pads = st.members.filter((m) => m.type === 'pad');
    if (pads.length > 0) {
      lines.push(`  const pads = o.$pad as Record<string, unknown> | undefined;`, `  if (pads !== undefined) {`);
      for (const m of pads) lines.push(`    { const pb = pads[${JSON.stringify(m.name)}]; if (pb instanceof Uint8Array) b.set(pb.subarray(0, ${m.size}), p + ${m.offset}); }`);
      lines.push('  }');
    }
    lines.push('}');
    enc.push(unusedParams(lines.join('\n')));
  }
  const enumDecls = [...enumVars].map(([k, v]) => `const ${v} = compileEnum(${JSON.stringify(k)});`);
  return `// GENERATED by scripts/gen-tables.mjs (struct decoders and encoders for the structs in generated.ts). Do not edit.
/* eslint-disable */
import { compileEnum } from '../attrs/compile.js';
import { ipv4Text, ipv6Text, macText } from '../attrs/text.js';
import { enumName, flagNames, readU64, SMALL_BIGINT_LIMIT, SMALL_BIGINTS } from '../attrs/values.js';
import { bigValue, scalarNumber, typeError, withPath } from '../attrs/scalars.js';
import { parseIp, parseMac } from '../attrs/text.js';

// Referenced so that every import is used whatever the tables contain.
void ipv4Text, void ipv6Text, void macText, void enumName, void flagNames, void readU64, void SMALL_BIGINT_LIMIT, void SMALL_BIGINTS;
void bigValue, void scalarNumber, void typeError, void withPath, void parseIp, void parseMac;

export type StructDecoder = (b: Uint8Array, v: DataView, p: number) => Record<string, unknown>;
export type StructEncoder = (o: Record<string, unknown>, b: Uint8Array, v: DataView, p: number) => void;

${enumDecls.join('\n')}

${bodies.join('\n\n')}

/** Struct key -> decoder of exactly \`size\` bytes at \`p\` (the caller checks the length). */
export const STRUCT_DECODERS: Readonly<Record<string, StructDecoder>> = {
${keys.map((k) => `  ${JSON.stringify(k)}: ${fn.get(k)},`).join('\n')}
};

${enc.join('\n\n')}

/** Struct key -> encoder of the members (\`size\` bytes at \`p\`; missing members are 0, \`$pad\` honoured, no \`$tail\`). */
export const STRUCT_ENCODERS: Readonly<Record<string, StructEncoder>> = {
${keys.map((k) => `  ${JSON.stringify(k)}: ${fn.get(k).replace('s', 'w')},`).join('\n')}
};
`;
}

function clean(o) {
  return JSON.parse(JSON.stringify(o));
}

function render({ enums, structs, sets, subMessages, messageTypes, overlayFiles }) {
  const j = (v) => JSON.stringify(clean(v), null, 1).replace(/\n\s*/g, ' ');
  const block = (obj) =>
    '{\n' +
    Object.keys(obj)
      .map((k) => `  ${JSON.stringify(k)}: ${j(obj[k])},`)
      .join('\n') +
    '\n}';
  const mt = Object.keys(messageTypes)
    .map(Number)
    .sort((a, b) => a - b)
    .map((k) => `  ${k}: ${j(messageTypes[k])},`)
    .join('\n');
  return `// GENERATED by scripts/gen-tables.mjs from the kernel YNL specs (${KERNEL_FAMILIES.join(', ')})
// and spec-overlay/ (${overlayFiles.join(', ')}). Do not edit: run \`npm run generate\`
// (or \`node scripts/gen-tables.mjs\`) in packages/nl-codec.
// The kernel specs are dual-licensed GPL-2.0 WITH Linux-syscall-note OR BSD-3-Clause;
// these tables are derived from them under BSD-3-Clause (copyright the Linux kernel authors).
import type { AttributeSetSpec, EnumSpec, MessageTypeSpec, StructSpec, SubMessageSpec } from './types.js';

/** Enumerations and flag sets, keyed \`family/name\`; entries are [name, value]. */
export const ENUMS: Readonly<Record<string, EnumSpec>> = ${block(enums)};

/** Structs (fixed headers and struct-typed binaries), keyed \`family/name\`, with C-layout offsets. */
export const STRUCTS: Readonly<Record<string, StructSpec>> = ${block(structs)};

/** Attribute sets keyed \`family/name\`; subset-of sets are already resolved. */
export const ATTRIBUTE_SETS: Readonly<Record<string, AttributeSetSpec>> = ${block(sets)};

/** Sub-messages keyed \`family/name\`: selector value -> fixed header and/or attribute set. */
export const SUB_MESSAGES: Readonly<Record<string, SubMessageSpec>> = ${block(subMessages)};

/** Message type number -> family, operation, fixed header and top-level attribute set. */
export const MESSAGE_TYPES: Readonly<Record<number, MessageTypeSpec>> = {
${mt}
};
`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (n) => {
    const i = args.indexOf(n);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const outDir = resolve(opt('--out-dir') ?? join(pkg, 'src/schema'));
  const out = generate({ specsDir: opt('--specs') ? resolve(opt('--specs')) : undefined });
  const files = { 'generated.ts': out.tables, 'structs.generated.ts': out.decoders };
  if (args.includes('--stdout')) {
    for (const [name, text] of Object.entries(files)) process.stdout.write(`//// ${name}\n${text}`);
  } else if (args.includes('--check')) {
    let stale = false;
    for (const [name, text] of Object.entries(files)) {
      const path = join(outDir, name);
      if ((existsSync(path) ? readFileSync(path, 'utf8') : '') !== text) {
        process.stderr.write(`${path} is out of date: run node scripts/gen-tables.mjs\n`);
        stale = true;
      }
    }
    if (stale) process.exit(1);
  } else {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
  }
}
