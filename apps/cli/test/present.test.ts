import { describe, expect, it } from 'vitest';
import { expires, kmsWord } from '../src/present.ts';

describe('a root key’s expiry in the CLI', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  it('flags a key that expires within 30 days, as the console does', () => {
    expect(expires(undefined, now)).toBe('never');
    expect(expires('2027-03-01T00:00:00Z', now)).toBe('2027-03-01');
    expect(expires('2026-12-17T12:00:00Z', now)).toBe('2026-12-17 (expires in 10 days)');
    expect(expires('2026-12-08T12:00:00Z', now)).toBe('2026-12-08 (expires in 1 day)');
    expect(expires('2026-12-01T00:00:00Z', now)).toBe('2026-12-01 (expired)');
  });
});

describe('a cluster’s KMS in the CLI', () => {
  it('uses the console’s words: enabled, or not enabled (never "disabled")', () => {
    expect(kmsWord({ features: { keyProtectEnabled: true } })).toBe('enabled');
    expect(kmsWord({ features: { keyProtectEnabled: false } })).toBe('not enabled');
  });
});
