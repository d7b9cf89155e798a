import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipPrettyJson } from './pretty.js';

describe('ipPrettyJson (ip -j -p layout)', () => {
  it('lays out objects, nested objects and arrays as iproute2 json_writer does', () => {
    // Captured from `ip -j -p addr show` (iproute2 6.1), trimmed.
    const want = [
      '[ {',
      '        "ifindex": 3,',
      '        "flags": [ "BROADCAST","UP" ],',
      '        "linkinfo": {',
      '            "info_kind": "veth"',
      '        },',
      '        "addr_info": [ {',
      '                "family": "inet",',
      '                "nodad": true',
      '            },{',
      '                "local": "2001:db8::1"',
      '            } ]',
      '    } ]',
    ].join('\n');
    const v = [{ ifindex: 3, flags: ['BROADCAST', 'UP'], linkinfo: { info_kind: 'veth' }, addr_info: [{ family: 'inet', nodad: true }, { local: '2001:db8::1' }] }];
    expect(ipPrettyJson(v)).toBe(want);
  });

  it('prints empty containers, null, bigints and skips undefined members', () => {
    expect(ipPrettyJson([])).toBe('[ ]');
    expect(ipPrettyJson([{}])).toBe('[ {} ]');
    expect(ipPrettyJson({ a: undefined, b: null, c: 18446744073709551615n, d: [] })).toBe('{\n    "b": null,\n    "c": 18446744073709551615,\n    "d": [ ]\n}');
  });

  it('is valid JSON with the same value as JSON.stringify for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(ipPrettyJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});
