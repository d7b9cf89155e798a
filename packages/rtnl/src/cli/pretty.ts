/**
 * `-j -p`: JSON laid out exactly as iproute2's json_writer does in pretty mode, so output meant
 * for people (and diffed against `ip -j -p`) looks the same: four spaces per level, objects
 * opened on the line of their key or of the previous element (`},{`), arrays inline with a
 * space inside the brackets (`[ "UP","LOWER_UP" ]`, `[ {`, `} ]`), `": "` after keys.
 *
 * @example
 * ```ts
 * ipPrettyJson([{ ifindex: 1, flags: ['UP'] }]);
 * // '[ {\n        "ifindex": 1,\n        "flags": [ "UP" ]\n    } ]'
 * ```
 */
export function ipPrettyJson(value: unknown): string {
  const out: string[] = [];
  // json_writer's state: nesting depth and the separator owed before the next element.
  let depth = 0;
  let sep = '';
  const eol = () => out.push('\n', '    '.repeat(depth));
  const eor = () => {
    out.push(sep);
    sep = ',';
  };
  const write = (v: unknown): void => {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') v = null;
    const s = v as { toJSON?: () => unknown };
    if (v !== null && typeof v === 'object' && typeof s.toJSON === 'function') v = s.toJSON();
    if (Array.isArray(v)) {
      eor();
      out.push('[ ');
      depth++;
      sep = '';
      for (const x of v) write(x);
      // jsonw_end_array: a space before the bracket when anything was written.
      if (sep !== '') out.push(' ');
      depth--;
      out.push(']');
      sep = ',';
    } else if (v !== null && typeof v === 'object') {
      eor();
      out.push('{');
      depth++;
      sep = '';
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        eor();
        eol();
        sep = '';
        out.push(JSON.stringify(k), ': ');
        write(x);
      }
      depth--;
      if (sep !== '') eol();
      out.push('}');
      sep = ',';
    } else {
      eor();
      out.push(typeof v === 'bigint' ? v.toString() : JSON.stringify(v));
    }
  };
  write(value);
  return out.join('');
}
