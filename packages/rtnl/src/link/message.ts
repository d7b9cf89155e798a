/** Small builders for the `ifinfomsg` requests every link operation sends. */
import type { Message } from '@nlkit/nl-codec';

/** An `ifinfomsg` request of `type` for `index` with `attrs`. */
export function ifinfoRequest(
  type: 'RTM_NEWLINK' | 'RTM_DELLINK' | 'RTM_GETLINK' | 'RTM_SETLINK',
  index: number,
  attrs: Record<string, unknown>,
  flags: string[] = [],
  ifiFlags: string[] = [],
  ifiChange = 0,
): Message {
  return {
    header: { type, flags, seq: 0, pid: 0 },
    'ifi-family': 0,
    'ifi-type': 0,
    'ifi-index': index,
    'ifi-flags': ifiFlags,
    'ifi-change': ifiChange,
    attrs,
  };
}

/** `IFF_UP`: the only `ifi_change` bit nlkit sets. */
export const IFF_UP = 1;
