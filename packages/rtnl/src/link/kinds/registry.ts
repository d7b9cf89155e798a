/**
 * The kind registry. A kind module describes everything nlkit knows about one
 * `IFLA_INFO_KIND`: which spec options it takes and how to check them, how to build
 * `IFLA_INFO_DATA` for `linkAdd`, how to lift the kernel's info-data into `Link.data`, how
 * `ip -j -d` prints it (`info_data`), and which `ip link add ... type KIND` options the CLI
 * accepts. Adding a kind is one module that calls {@link registerKind} plus one import line in
 * `kinds/index.ts`.
 */
import { nsFd, type NetnsRef } from '../../netns.js';

/** What a kind's info-data builder may need: namespace fds that live until the request is sent. */
export class RequestResources {
  private readonly releases: Array<() => void> = [];

  /** An fd for `IFLA_NET_NS_FD` (paths are opened and closed after the request). */
  nsFd(ns: NetnsRef): number {
    const { fd, release } = nsFd(ns);
    this.releases.push(release);
    return fd;
  }

  release(): void {
    for (const r of this.releases.splice(0)) {
      try {
        r();
      } catch {
        /* closing an fd we opened cannot usefully fail the request */
      }
    }
  }
}

/** Context for `info_data` printers: ip prints some indexes as names. */
export interface IpJsonContext {
  /** Name of the link with this index in the same namespace, if known. */
  linkName(index: number): string | undefined;
  /** User and group names for tun owners (ip uses getpwuid/getgrgid). */
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
}

/** One `ip link add ... type KIND` option: the spec key it sets, and how to read its value. */
export interface CliOption {
  key: string;
  /** Parse the following argument; absent with `value`: the option takes no argument. */
  parse?: (arg: string) => unknown;
  value?: unknown;
}

export interface KindModule {
  /** `IFLA_INFO_KIND`, e.g. `'bridge'`. */
  readonly kind: string;
  /** Whether `linkAdd({ kind })` creates it over rtnetlink (false for `tun`, made by ioctl). */
  readonly creatable: boolean;
  /** Spec option names beyond the common ones. */
  readonly options: readonly string[];
  /** Check kind-specific options (throw TypeError/RangeError naming the field). */
  validate?(spec: Record<string, unknown>): void;
  /** `IFLA_INFO_DATA` in codec form, or undefined when the kind has none. */
  infoData?(spec: Record<string, unknown>, res: RequestResources): Record<string, unknown> | undefined;
  /** Whether the spec's `parentIndex` is required (macvlan, vlan, ...). */
  readonly needsParent?: boolean;
  /** Typed `Link.data` from the decoded info-data. */
  lift?(data: Record<string, unknown>): unknown;
  /** `ip -j -d` `linkinfo.info_data`, in ip's key order. */
  ipJson?(data: Record<string, unknown>, ctx: IpJsonContext): Record<string, unknown> | undefined;
  /**
   * `ip -d link show` text of the info-data: what ip prints after `    KIND `, each word
   * followed by a space (as print_opt does). Kinds without it print their `ipJson` as
   * `key value` pairs.
   */
  ipText?(data: Record<string, unknown>, ctx: IpJsonContext): string;
  /** `ip link add NAME type KIND [OPTIONS]` option table for the CLI. */
  readonly cli?: Readonly<Record<string, CliOption>>;
}

const kinds = new Map<string, KindModule>();

/**
 * Register a kind (called once by each kind module).
 * @example
 * ```ts
 * export const dummyKind = registerKind({ kind: 'dummy', creatable: true, options: [], lift: () => ({}) });
 * ```
 */
export function registerKind(k: KindModule): KindModule {
  kinds.set(k.kind, k);
  return k;
}

/** The module for `IFLA_INFO_KIND` `kind`, if nlkit knows it. */
export function kindModule(kind: string): KindModule | undefined {
  return kinds.get(kind);
}

/** Every registered kind name. */
export function knownKinds(): string[] {
  return [...kinds.keys()];
}

// Small helpers shared by kind modules.

/** Read a u8/u32 attribute that may be a number, a bigint, or a `true` flag. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v === true) return 1;
  return undefined;
}

export function bool(v: unknown): boolean | undefined {
  const n = num(v);
  return n === undefined ? undefined : n !== 0;
}

/** Parse an unsigned decimal or 0x-hex CLI argument. */
export function parseUintArg(what: string, max = 0xffffffff): (s: string) => number {
  return (s: string) => {
    const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? parseInt(s, 10) : NaN;
    if (!Number.isFinite(n) || n > max) throw new RangeError(`invalid ${what} "${s}"`);
    return n;
  };
}

/** Parse an `on`/`off` (or `1`/`0`) CLI argument. */
export function parseOnOff(what: string): (s: string) => boolean {
  return (s: string) => {
    if (s === 'on' || s === '1') return true;
    if (s === 'off' || s === '0') return false;
    throw new RangeError(`invalid ${what} "${s}": expected on or off`);
  };
}

/** ip's `on`/`off` for a boolean in text output. */
export const onOff = (v: unknown): string => (v ? 'on' : 'off');

/**
 * A bridge timer as ip's text prints it (`%4i.%.2i`, e.g. `   1.30`), from the JSON seconds.
 * @example
 * ```ts
 * timerText(98.41); // '  98.41'
 * ```
 */
export function timerText(seconds: number): string {
  const c = Math.round(seconds * 100);
  return `${String(Math.trunc(c / 100)).padStart(4)}.${String(c % 100).padStart(2, '0')}`;
}
