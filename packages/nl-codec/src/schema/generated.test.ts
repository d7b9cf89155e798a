/// <reference types="node" />
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_SETS, MESSAGE_TYPES, STRUCTS, SUB_MESSAGES, attributeInfo } from './index.js';

const pkg = fileURLToPath(new URL('../../', import.meta.url));

describe('generated tables', () => {
  it('are exactly what scripts/gen-tables.mjs produces from the specs and the overlay', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-tables.mjs', '--stdout'], { cwd: pkg, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const committed = ['generated.ts', 'structs.generated.ts'].map((f) => `//// ${f}\n${readFileSync(`${pkg}src/schema/${f}`, 'utf8')}`).join('');
    expect(r.stdout).toBe(committed);
    const check = spawnSync(process.execPath, ['scripts/gen-tables.mjs', '--check'], { cwd: pkg, encoding: 'utf8' });
    expect(check.status).toBe(0);
  });

  it('generates the same text twice (no dates, stable order)', () => {
    const run = () => spawnSync(process.execPath, ['scripts/gen-tables.mjs', '--stdout'], { cwd: pkg, encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    expect(run()).toBe(run());
  });

  it('fails loudly on an overlay that references a missing set', () => {
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { generate } from './scripts/gen-tables.mjs'; generate({ overlayDir: './src/schema/test-support/bad-overlay' });`],
      { cwd: pkg, encoding: 'utf8' },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown set .*no-such-set/);
  });

  it('numbers attributes from 1 and honours explicit values', () => {
    expect(attributeInfo('rt-link/link-attrs', 'address')?.value).toBe(1);
    expect(attributeInfo('rt-link/link-attrs', 'ifname')?.value).toBe(3);
    expect(attributeInfo('rt-link/af-spec-attrs', 'inet6')?.value).toBe(10);
    expect(attributeInfo('rt-route/metrics', 'mtu')?.value).toBe(2);
    expect(attributeInfo('rt-link/link-attrs', 3)?.name).toBe('ifname');
  });

  it('answers undefined for a set or attribute it does not have, inherited names included', () => {
    for (const w of ['nosuch/set', 'toString', 'constructor', '__proto__']) expect(attributeInfo(w, 'mtu'), w).toBeUndefined();
    for (const w of ['nosuch', 'toString', 'constructor']) expect(attributeInfo('rt-link/link-attrs', w), w).toBeUndefined();
  });

  it('resolves subset-of sets with the parent values and overrides', () => {
    const alt = ATTRIBUTE_SETS['rt-link/prop-list-link-attrs']!.attributes.find((a) => a.name === 'alt-ifname')!;
    expect(alt).toMatchObject({ value: 53, type: 'string', multiAttr: true });
    const local = attributeInfo('rt-link/linkinfo-gre6-attrs', 'local');
    expect(local?.displayHint).toBe('ipv6');
  });

  it('lays out structs as C does and merges overlay members', () => {
    expect(STRUCTS['rt-link/ifinfomsg']!.size).toBe(16);
    expect(STRUCTS['rt-link/ifla-vf-guid']!.members.map((m) => [m.name, m.offset])).toEqual([['vf', 0], ['pad@4', 4], ['guid', 8]]);
    expect(STRUCTS['rt-route/rta-cacheinfo']!.size).toBe(32);
    expect(STRUCTS['rt-route/rtnexthop']!.size).toBe(8);
  });

  it('maps message types to families, including the overlay families', () => {
    expect(MESSAGE_TYPES[16]).toMatchObject({ family: 'rt-link', fixedHeader: 'rt-link/ifinfomsg', attributeSet: 'rt-link/link-attrs' });
    expect(MESSAGE_TYPES[92]).toMatchObject({ family: 'rt-link', fixedHeader: 'rt-link/if-stats-msg' });
    expect(MESSAGE_TYPES[29]?.family).toBe('rt-neigh');
    expect(MESSAGE_TYPES[64]?.fixedHeader).toBe('rt-neigh/ndtmsg');
    expect(MESSAGE_TYPES[32]?.family).toBe('rt-rule');
    expect(MESSAGE_TYPES[104]?.family).toBe('rt-nexthop');
    expect(MESSAGE_TYPES[80]?.family).toBe('rt-netconf');
    expect(MESSAGE_TYPES[88]?.family).toBe('rt-nsid');
  });

  it('adds the link kinds the kernel specs lack', () => {
    const kinds = Object.keys(SUB_MESSAGES['rt-link/linkinfo-data-msg']!.formats);
    for (const k of ['veth', 'vxlan', 'macvlan', 'macvtap', 'ipvlan', 'dummy', 'ifb', 'bridge', 'tun']) expect(kinds).toContain(k);
    expect(attributeInfo('rt-link/linkinfo-veth-attrs', 'peer')).toMatchObject({ value: 1, fixedHeader: 'rt-link/ifinfomsg' });
  });
});
