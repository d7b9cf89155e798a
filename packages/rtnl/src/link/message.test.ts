import { encode, messageFlagsValue, messageTypeNumber } from '@nlkit/nl-codec';
import { describe, expect, it } from 'vitest';
import { WIRE } from '../conn/wire.js';
import { IFF_UP, ifinfoRequest, ifinfoWire, type LinkChange } from './message.js';

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
    const wire = ifinfoWire(type, index, change, up === true ? IFF_UP : 0, up === undefined ? 0 : IFF_UP)[WIRE];
    expect(hex(wire)).toBe(hex(objectBytes(type, index, change, up)));
  });

  it('refuses an attribute it does not know instead of dropping it', () => {
    expect(() => ifinfoWire('RTM_NEWLINK', 1, { bogus: 1 } as unknown as LinkChange)).toThrow(/does not write bogus/);
  });
});
