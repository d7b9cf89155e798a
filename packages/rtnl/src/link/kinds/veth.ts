/** `veth`: a pair of virtual Ethernet devices; the peer is described by `VETH_INFO_PEER`. */
import { emptyRecord } from '@nlkit/nl-codec';
import type { NetnsRef } from '../../netns.js';
import { rejectUnknownKeys, validateIfName, validateMac, validateMtu, validateObject, validateString, validateTxQLen, validateUint } from '../../validate.js';
import type { LinkSpecCommon } from '../spec.js';
import { registerKind, type CliOption } from './registry.js';

/** The far end of a veth pair. */
export interface VethPeerSpec {
  name: string;
  /** Create the peer straight into this namespace. */
  netns?: NetnsRef;
  mtu?: number;
  hardwareAddr?: string;
  txQLen?: number;
  alias?: string;
  linkGroup?: number;
  masterIndex?: number;
  numTxQueues?: number;
  numRxQueues?: number;
}

export interface VethSpec extends LinkSpecCommon {
  kind: 'veth';
  peer?: VethPeerSpec;
}

/** veth links carry no info-data; the peer is `Link.parentIndex` (IFLA_LINK). */
export type VethData = Record<string, never>;

declare module '../spec.js' {
  interface LinkSpecMap {
    veth: VethSpec;
  }
  interface LinkDataMap {
    veth: VethData;
  }
}

const PEER_KEYS = new Set(['name', 'netns', 'mtu', 'hardwareAddr', 'txQLen', 'alias', 'linkGroup', 'masterIndex', 'numTxQueues', 'numRxQueues']);

const cli: Record<string, CliOption> = {
  peer: { key: 'peer', value: 'peer' }, // `peer name NAME [netns NS]` is handled by the CLI itself
};

export const vethKind = registerKind({
  kind: 'veth',
  creatable: true,
  options: ['peer'],
  validate(spec) {
    if (spec.peer === undefined) return;
    const p = validateObject(spec.peer, 'peer');
    rejectUnknownKeys(p, PEER_KEYS, 'peer');
    if (p.name !== undefined) validateIfName(p.name, 'peer.name');
    if (p.mtu !== undefined) validateMtu(p.mtu, 'peer.mtu');
    if (p.hardwareAddr !== undefined) validateMac(p.hardwareAddr, 'peer.hardwareAddr');
    if (p.txQLen !== undefined) validateTxQLen(p.txQLen, 'peer.txQLen');
    if (p.alias !== undefined) validateString(p.alias, 'peer.alias');
    if (p.linkGroup !== undefined) validateUint(p.linkGroup, 'peer.linkGroup');
    if (p.masterIndex !== undefined) validateUint(p.masterIndex, 'peer.masterIndex', 1, 0x7fffffff);
    if (p.numTxQueues !== undefined) validateUint(p.numTxQueues, 'peer.numTxQueues', 1, 4096);
    if (p.numRxQueues !== undefined) validateUint(p.numRxQueues, 'peer.numRxQueues', 1, 4096);
  },
  infoData(spec, res) {
    const p = spec.peer as VethPeerSpec | undefined;
    if (p === undefined) return undefined;
    const attrs: Record<string, unknown> = {};
    if (p.name !== undefined) attrs.ifname = p.name;
    if (p.mtu !== undefined) attrs.mtu = p.mtu;
    if (p.txQLen !== undefined) attrs.txqlen = p.txQLen;
    if (p.hardwareAddr !== undefined) attrs.address = p.hardwareAddr.toLowerCase();
    if (p.masterIndex !== undefined) attrs.master = p.masterIndex;
    if (p.alias !== undefined) attrs.ifalias = p.alias;
    if (p.linkGroup !== undefined) attrs.group = p.linkGroup;
    if (p.numTxQueues !== undefined) attrs['num-tx-queues'] = p.numTxQueues;
    if (p.numRxQueues !== undefined) attrs['num-rx-queues'] = p.numRxQueues;
    if (p.netns !== undefined) attrs['net-ns-fd'] = res.nsFd(p.netns);
    return { peer: { 'ifi-family': 0, 'ifi-type': 0, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0, attrs } };
  },
  // The kernel sends no info-data for veth: a fresh empty object per link, in 24 bytes.
  lift: () => emptyRecord(),
  // ip prints no info_data for veth.
  cli,
});
