import { encode, messageFlagsValue, messageTypeNumber } from '@nlkit/nl-codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IFF_UP, ifinfoRequest, ifinfoWire, NO_CHANGE, type LinkChange } from './message.js';

/** The object form's bytes, as the engine would encode them before filling in seq/pid. */
function objectBytes(type: 'RTM_NEWLINK' | 'RTM_DELLINK', index: number, change: LinkChange, up?: boolean): Uint8Array {
  const m = ifinfoRequest(type, index, { ...change }, [], up === true ? ['up'] : [], up === undefined ? 0 : IFF_UP);
  const t = messageTypeNumber(type);
  return encode({ ...m, header: { type: t, flags: messageFlagsValue(t, []), seq: 0, pid: 0 } });
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('ifinfoWire', () => {
  const cases: Array<[string, 'RTM_NEWLINK' | 'RTM_DELLINK', number, LinkChange, boolean | undefined]> = [
    ['up by index', 'RTM_NEWLINK', 7, {}, true],
    ['down by name', 'RTM_NEWLINK', 0, { ifname: 'eth0' }, false],
    ['MTU', 'RTM_NEWLINK', 7, { mtu: 9000 }, undefined],
    ['MTU by name (name first)', 'RTM_NEWLINK', 0, { ifname: 'veth-a', mtu: 1280 }, undefined],
    ['rename', 'RTM_NEWLINK', 3, { ifname: 'uplink0' }, undefined],
    ['alias', 'RTM_NEWLINK', 3, { ifalias: 'to the VM, ünïcode' }, undefined],
    ['clear alias', 'RTM_NEWLINK', 3, { ifalias: '' }, undefined],
    ['MAC', 'RTM_NEWLINK', 3, { address: '02:00:00:00:00:01' }, undefined],
    ['master', 'RTM_NEWLINK', 3, { master: 12 }, undefined],
    ['no master', 'RTM_NEWLINK', 3, { master: 0 }, undefined],
    ['txqlen', 'RTM_NEWLINK', 3, { txqlen: 500 }, undefined],
    ['group', 'RTM_NEWLINK', 3, { group: 0xfffffffe }, undefined],
    ['netns fd', 'RTM_NEWLINK', 3, { 'net-ns-fd': 21 }, undefined],
    ['netns pid', 'RTM_NEWLINK', 3, { 'net-ns-pid': 4242 }, undefined],
    ['delete by index', 'RTM_DELLINK', 9, {}, undefined],
    ['delete by name', 'RTM_DELLINK', 0, { ifname: 'br-test' }, undefined],
  ];
  it.each(cases)('writes the same bytes as the object form: %s', (_name, type, index, change, up) => {
    const wire = ifinfoWire(type, index, change, up === true ? IFF_UP : 0, up === undefined ? 0 : IFF_UP).bytes;
    expect(hex(wire)).toBe(hex(objectBytes(type, index, change, up)));
  });

  it('writes the same bytes as the object form for any change, index and flags', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const name = fc.string({ minLength: 1, maxLength: 15 }).filter((n) => !n.includes('\0'));
    const change = fc.record(
      {
        ifname: name,
        mtu: u32,
        ifalias: fc.string({ maxLength: 40 }).filter((n) => !n.includes('\0')),
        address: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':')),
        master: u32,
        txqlen: u32,
        group: u32,
        'net-ns-fd': u32,
        'net-ns-pid': u32,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.constantFrom('RTM_NEWLINK' as const, 'RTM_DELLINK' as const), fc.integer({ min: 0, max: 0x7fffffff }), change, fc.option(fc.boolean(), { nil: undefined }), (type, index, c, up) => {
        const wire = ifinfoWire(type, index, c, up === true ? IFF_UP : 0, up === undefined ? 0 : IFF_UP).bytes;
        expect(hex(wire)).toBe(hex(objectBytes(type, index, c, up)));
      }),
      { numRuns: 500 },
    );
  });

  it('writes no attribute for the shared empty change (up and down)', () => {
    expect(hex(ifinfoWire('RTM_NEWLINK', 7, NO_CHANGE, IFF_UP, IFF_UP).bytes)).toBe(hex(objectBytes('RTM_NEWLINK', 7, {}, true)));
    expect(Object.isFrozen(NO_CHANGE)).toBe(true);
  });

  it('refuses an attribute it does not know instead of dropping it', () => {
    expect(() => ifinfoWire('RTM_NEWLINK', 1, { bogus: 1 } as unknown as LinkChange)).toThrow(/does not write bogus/);
  });
});
