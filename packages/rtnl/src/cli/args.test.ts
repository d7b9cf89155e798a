import { describe, expect, it } from 'vitest';
import { Args, CliError, matchCommand, netnsPath, parseUint } from './args.js';
import { parseGlobal } from './main.js';

describe('rtnl global options', () => {
  it('parses -j -d -n NAME --record FILE and the object alias', () => {
    const p = parseGlobal(['-j', '-d', '-n', 'blue', '--record', '/tmp/x.pcap', 'a', 'show']);
    expect(p.ctx.json).toBe(true);
    expect(p.ctx.details).toBe(true);
    expect(p.ctx.netns).toBe('/run/netns/blue');
    expect(p.ctx.record).toBe('/tmp/x.pcap');
    expect(p.object).toBe('addr');
    expect(p.args).toEqual(['show']);
  });

  it('takes a path for -n as is, and -jd together', () => {
    const p = parseGlobal(['-jd', '-n', '/proc/1/ns/net', 'link']);
    expect([p.ctx.json, p.ctx.details, p.ctx.netns]).toEqual([true, true, '/proc/1/ns/net']);
  });

  it('opens no socket until a command needs one', () => {
    const p = parseGlobal(['link', 'show']);
    p.close();
  });

  it('parses -p, -br and -o: pretty JSON, brief tables, one line per record', () => {
    const lines: string[] = [];
    const p = parseGlobal(['-j', '-p', '-br', '-o', 'link'], (s) => lines.push(s));
    expect([p.ctx.json, p.ctx.brief, p.ctx.oneline]).toEqual([true, true, true]);
    p.ctx.printJson([{ ifname: 'lo', flags: ['UP'] }]);
    p.ctx.print('1: lo: <UP>\n    link/loopback');
    expect(lines).toEqual(['[ {\n        "ifname": "lo",\n        "flags": [ "UP" ]\n    } ]', '1: lo: <UP>\\    link/loopback']);
    const plain = parseGlobal(['-brief', '-oneline', '-pretty', 'a']);
    expect([plain.ctx.brief, plain.ctx.oneline, plain.object]).toEqual([true, true, 'addr']);
  });

  it('names the problem for unknown options and objects, or a missing object', () => {
    expect(() => parseGlobal(['-q', 'link'])).toThrow(new CliError('unknown option "-q"'));
    expect(() => parseGlobal(['frob'])).toThrow(/unknown object "frob"/);
    for (const w of ['toString', 'constructor', '__proto__']) expect(() => parseGlobal([w]), w).toThrow(`unknown object "${w}"`);
    expect(() => parseGlobal(['-j'])).toThrow(/missing OBJECT/);
    expect(() => parseGlobal(['-n'])).toThrow(/missing namespace after -n/);
  });
});

describe('argument helpers', () => {
  it('matches command prefixes as ip does', () => {
    expect(matchCommand('sh', ['show', 'set'])).toBe('show');
    expect(matchCommand('set', ['show', 'set'])).toBe('set');
    expect(matchCommand('x', ['show'])).toBeUndefined();
  });

  it('parses decimal and hex integers and rejects the rest', () => {
    expect(parseUint('1500', 'MTU')).toBe(1500);
    expect(parseUint('0x10', 'mask')).toBe(16);
    expect(() => parseUint('-1', 'MTU')).toThrow(/invalid MTU "-1"/);
    expect(() => parseUint('70000', 'port', 0xffff)).toThrow(/invalid port/);
  });

  it('reads arguments in order and reports what is missing', () => {
    const a = new Args(['dev', 'br0']);
    expect(a.accept('dev')).toBe('dev');
    expect(a.next('name')).toBe('br0');
    expect(a.done).toBe(true);
    expect(() => a.next('MTU')).toThrow(/missing MTU/);
  });

  it('refuses "." and ".." as namespace names', () => {
    expect(() => netnsPath('..')).toThrow(/invalid netns name/);
  });
});
