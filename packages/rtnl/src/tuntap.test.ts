import * as shim from '@nlkit/syscall-shim';
import { describe, expect, it } from 'vitest';
import { validateTuntapSpec } from './tuntap.js';

describe('tuntap spec', () => {
  it('defaults to no packet-info header and a single queue', () => {
    expect(validateTuntapSpec({ kind: 'tuntap', mode: 'tap', name: 'tap0' })).toEqual({ flags: shim.IFF_TAP | shim.IFF_NO_PI, queues: 1 });
    expect(validateTuntapSpec({ kind: 'tuntap', mode: 'tun', name: 'tun0', noPi: false })).toEqual({ flags: shim.IFF_TUN, queues: 1 });
  });

  it('asks for multi-queue when asked, or when more than one queue is wanted', () => {
    expect(validateTuntapSpec({ kind: 'tuntap', mode: 'tap', name: 't', queues: 4 }).flags & shim.IFF_MULTI_QUEUE).toBe(shim.IFF_MULTI_QUEUE);
    expect(validateTuntapSpec({ kind: 'tuntap', mode: 'tap', name: 't', multiQueue: true }).flags & shim.IFF_MULTI_QUEUE).toBe(shim.IFF_MULTI_QUEUE);
    expect(validateTuntapSpec({ kind: 'tuntap', mode: 'tap', name: 't', vnetHdr: true, oneQueue: true }).flags).toBe(shim.IFF_TAP | shim.IFF_NO_PI | shim.IFF_VNET_HDR | shim.IFF_ONE_QUEUE);
  });

  const bad: Array<[string, object, RegExp, ErrorConstructor]> = [
    ['0 queues', { mode: 'tap', name: 't', queues: 0 }, /queues must be in 1..256/, RangeError],
    ['4 queues without multi-queue', { mode: 'tap', name: 't', queues: 4, multiQueue: false }, /need multiQueue/, RangeError],
    ['a negative owner', { mode: 'tap', name: 't', owner: -1 }, /owner must not be negative/, RangeError],
    ['a negative group', { mode: 'tap', name: 't', group: -5 }, /group must not be negative/, RangeError],
    ['an unknown mode', { mode: 'tunnel', name: 't' }, /mode must be one of 'tap', 'tun'/, RangeError],
    ['an unknown option', { mode: 'tap', name: 't', queue: 2 }, /unknown option "queue"/, TypeError],
    ['a MAC on a tun', { mode: 'tun', name: 't', hardwareAddr: '02:00:00:00:00:01' }, /no MAC address/, RangeError],
    ['a name with "/"', { mode: 'tap', name: 'a/b' }, /name/, RangeError],
    ['parentIndex (not a tuntap option)', { mode: 'tap', name: 't', parentIndex: 2 }, /unknown option "parentIndex"/, TypeError],
  ];
  for (const [what, spec, msg, type] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => validateTuntapSpec({ kind: 'tuntap', ...spec })).toThrow(msg);
      expect(() => validateTuntapSpec({ kind: 'tuntap', ...spec })).toThrow(type);
    });
  }
});
