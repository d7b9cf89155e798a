/** `geneve`: a Geneve tunnel (IFLA_GENEVE_*). */
import { validateBool, validateIp, validateUint } from '../../validate.js';
import type { LinkSpecCommon } from '../spec.js';
import { camelLift } from './lift.js';
import { bool, num, parseUintArg, registerKind } from './registry.js';

export interface GeneveSpec extends LinkSpecCommon {
  kind: 'geneve';
  /** VNI 0..16777215. */
  id: number;
  /** Unicast remote, IPv4 or IPv6. */
  remote?: string;
  ttl?: number;
  tos?: number;
  /** UDP destination port (default 6081 in the kernel). */
  port?: number;
  udpCsum?: boolean;
  external?: boolean;
}

export interface GeneveData {
  id?: number;
  remote?: string;
  port?: number;
  [key: string]: unknown;
}

declare module '../spec.js' {
  interface LinkSpecMap {
    geneve: GeneveSpec;
  }
  interface LinkDataMap {
    geneve: GeneveData;
  }
}

/** IFLA_GENEVE_REMOTE as text (the codec decodes its 4 bytes as an IPv4 address; raw bytes otherwise). */
function remoteText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export const geneveKind = registerKind({
  kind: 'geneve',
  creatable: true,
  options: ['id', 'remote', 'ttl', 'tos', 'port', 'udpCsum', 'external'],
  validate(s) {
    if (s.external !== undefined) validateBool(s.external, 'external');
    if (s.id === undefined && s.external !== true) throw new TypeError('geneve: id (the VNI) is required');
    if (s.id !== undefined) validateUint(s.id, 'id', 0, 0xffffff);
    if (s.remote !== undefined) validateIp(s.remote, 'remote');
    for (const k of ['ttl', 'tos']) if (s[k] !== undefined) validateUint(s[k], k, 0, 255);
    if (s.port !== undefined) validateUint(s.port, 'port', 1, 0xffff);
    if (s.udpCsum !== undefined) validateBool(s.udpCsum, 'udpCsum');
  },
  infoData(s) {
    const d: Record<string, unknown> = {};
    if (s.id !== undefined) d.id = s.id;
    const remote = s.remote as string | undefined;
    if (remote !== undefined) d[remote.includes(':') ? 'remote6' : 'remote'] = remote;
    if (s.ttl !== undefined) d.ttl = s.ttl;
    if (s.tos !== undefined) d.tos = s.tos;
    if (s.port !== undefined) d.port = s.port;
    if (s.external) d['collect-metadata'] = true;
    if (s.udpCsum !== undefined) d['udp-csum'] = s.udpCsum ? 1 : 0;
    return d;
  },
  lift(d) {
    const o = camelLift(d);
    if (d['remote'] !== undefined) o.remote = remoteText(d['remote']);
    return o;
  },
  ipJson(d) {
    const o: Record<string, unknown> = {};
    if (d['collect-metadata'] !== undefined) o.external = true;
    const id = num(d['id']);
    if (id !== undefined) o.id = id;
    const r = d['remote'] !== undefined ? remoteText(d['remote']) : d['remote6'];
    if (typeof r === 'string') o.remote = r;
    const ttl = num(d['ttl']);
    if (ttl !== undefined) o.ttl = ttl;
    const tos = num(d['tos']);
    if (tos) o.tos = `0x${tos.toString(16)}`;
    const port = num(d['port']);
    if (port !== undefined) o.port = port;
    const c = bool(d['udp-csum']);
    if (c !== undefined) o.udp_csum = c;
    return o;
  },
  cli: {
    id: { key: 'id', parse: parseUintArg('geneve id', 0xffffff) },
    vni: { key: 'id', parse: parseUintArg('geneve id', 0xffffff) },
    remote: { key: 'remote', parse: (s) => s },
    ttl: { key: 'ttl', parse: parseUintArg('ttl', 255) },
    tos: { key: 'tos', parse: parseUintArg('tos', 255) },
    dstport: { key: 'port', parse: parseUintArg('dstport', 0xffff) },
    external: { key: 'external', value: true },
    udpcsum: { key: 'udpCsum', value: true },
    noudpcsum: { key: 'udpCsum', value: false },
  },
});
