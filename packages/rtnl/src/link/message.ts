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

/**
 * Close a temporary handle or fd we opened for one operation, ignoring a close error: Linux
 * releases the descriptor even when close reports one, and such an error must not replace the
 * operation's result (losing, say, the queue fds of a tap we just created).
 */
export function closeQuietly(x: { close(): void } | { release(): void }): void {
  try {
    if ('close' in x) x.close();
    else x.release();
  } catch {
    /* nothing to do: the descriptor is gone */
  }
}
