/**
 * Every kind nlkit knows. Each module registers itself; adding a kind is one module plus one
 * line here.
 */
import './bridge.js';
import './veth.js';
import './vxlan.js';
import './macvlan.js';
import './simple.js';
import './vlan.js';
import './bond.js';
import './geneve.js';
import './ipvlan.js';
import './tun.js';

export { kindModule, knownKinds, registerKind, RequestResources, type KindModule, type IpJsonContext, type CliOption } from './registry.js';
export type { BridgeSpec, BridgeData } from './bridge.js';
export { bridgePortIpJson, bridgePortText } from './bridge.js';
export type { VethSpec, VethPeerSpec } from './veth.js';
export type { VxlanSpec, VxlanData } from './vxlan.js';
export type { MacvlanSpec, MacvtapSpec, MacvlanData, MacvlanMode } from './macvlan.js';
export type { DummySpec, IfbSpec } from './simple.js';
export type { VlanSpec, VlanData } from './vlan.js';
export type { BondSpec, BondData, BondMode, BondXmitHashPolicy } from './bond.js';
export type { GeneveSpec, GeneveData } from './geneve.js';
export type { IpvlanSpec, IpvlanData, IpvlanMode, IpvlanFlag } from './ipvlan.js';
export type { TuntapData } from './tun.js';
