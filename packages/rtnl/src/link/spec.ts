/**
 * `linkAdd` specs and the `Link` model's per-kind data: a discriminated union on `kind`, built
 * by declaration merging so that each kind module under `kinds/` adds its own spec and data
 * types (`interface LinkSpecMap { bridge: BridgeSpec }`) without touching this file.
 */
import type { NetnsRef } from '../netns.js';

/** Attributes every kind accepts (API.md "Link specs for linkAdd"). */
export interface LinkSpecCommon {
  /** Interface name (1-15 bytes; a `%d` template such as `br%d` lets the kernel pick). */
  name: string;
  mtu?: number;
  txQLen?: number;
  /** MAC address `aa:bb:cc:dd:ee:ff`. */
  hardwareAddr?: string;
  /** Enslave to this master at creation (`IFLA_MASTER`). */
  masterIndex?: number;
  /** Lower device (`IFLA_LINK`) of macvlan/macvtap/vlan/ipvlan. */
  parentIndex?: number;
  /** `IFLA_IFALIAS`. */
  alias?: string;
  /** Interface group (`IFLA_GROUP`). */
  linkGroup?: number;
  /** Create the link straight into this namespace (`IFLA_NET_NS_FD`). */
  netns?: NetnsRef;
  /** Create it administratively up (`ifi_flags |= IFF_UP`). */
  up?: boolean;
  /** `IFLA_NUM_TX_QUEUES` / `IFLA_NUM_RX_QUEUES` (creation only). */
  numTxQueues?: number;
  numRxQueues?: number;
}

/** Keys of {@link LinkSpecCommon} (plus `kind`): accepted on every spec. */
export const COMMON_SPEC_KEYS: readonly string[] = [
  'kind', 'name', 'mtu', 'txQLen', 'hardwareAddr', 'masterIndex', 'parentIndex', 'alias', 'linkGroup', 'netns', 'up',
  'numTxQueues', 'numRxQueues',
];

/**
 * Spec type per kind; augmented by each kind module. `LinkSpec` is the union of its values.
 * @example
 * declare module '../spec.js' { interface LinkSpecMap { dummy: DummySpec } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface LinkSpecMap {}

/** Typed `Link.data` per `IFLA_INFO_KIND`; augmented by each kind module. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface LinkDataMap {}

/** A `linkAdd` spec: a discriminated union on `kind`. */
export type LinkSpec = LinkSpecMap[keyof LinkSpecMap];

/** Kind-specific data lifted from `IFLA_INFO_DATA`. */
export type LinkData = LinkDataMap[keyof LinkDataMap];
