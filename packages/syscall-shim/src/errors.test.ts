import { describe, expect, it } from 'vitest';
import { SyscallError, errnoMessage, errnoName, errnoNumber } from './errors.js';

describe('errno names and messages', () => {
  it('names errnos as Node does, from either sign', () => {
    expect(errnoName(17)).toBe('EEXIST');
    expect(errnoName(-17)).toBe('EEXIST');
    expect(errnoName(-98)).toBe('EADDRINUSE');
    expect(errnoName(11)).toBe('EAGAIN');
  });

  it('names errnos libuv does not know from the Linux table', () => {
    expect(errnoName(77)).toBe('EBADFD');
    expect(errnoName(524)).toBe('ENOTSUPP');
    expect(errnoName(133)).toBe('EHWPOISON');
    expect(errnoName(99999)).toBe('UNKNOWN');
  });

  it('describes errnos in Node wording and falls back to strerror or a number', () => {
    expect(errnoMessage(2)).toBe('no such file or directory');
    expect(errnoMessage(524)).toBe('operation is not supported');
    expect(errnoMessage(99999)).toMatch(/99999/);
  });

  it('maps names and aliases back to numbers', () => {
    expect(errnoNumber('EEXIST')).toBe(17);
    expect(errnoNumber('EWOULDBLOCK')).toBe(11);
    expect(errnoNumber('EOPNOTSUPP')).toBe(95);
    expect(errnoNumber('ENOTSUP')).toBe(95);
    expect(errnoNumber('NOPE')).toBeUndefined();
  });

  it('every named errno round-trips through its number', () => {
    for (let n = 1; n < 134; n++) {
      const name = errnoName(n);
      if (name === 'UNKNOWN') continue;
      expect(errnoNumber(name)).toBe(n);
    }
  });
});

describe('SyscallError', () => {
  it('carries code, negative errno, syscall and detail with a Node-style message', () => {
    const e = new SyscallError(17, 'ioctl', 'TUNSETIFF');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('EEXIST');
    expect(e.errno).toBe(-17);
    expect(e.syscall).toBe('ioctl');
    expect(e.detail).toBe('TUNSETIFF');
    expect(e.message).toBe('EEXIST: file already exists, ioctl TUNSETIFF');
    expect(e.name).toBe('SyscallError');
  });

  it('accepts a negative errno and omits a missing detail', () => {
    const e = new SyscallError(-2, 'open');
    expect(e.errno).toBe(-2);
    expect(e.message).toBe('ENOENT: no such file or directory, open');
    expect('detail' in e).toBe(false);
  });
});
