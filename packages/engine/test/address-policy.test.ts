import { describe, expect, it } from 'vitest';
import { AddressPolicy, DEFAULT_DENIED } from '../src/kube/address-policy.ts';

/** Issue 25, finding 6: where a connected cluster may not be, whatever URL it is given. */
describe('the address policy for connected clusters', () => {
  const policy = new AddressPolicy();

  it('denies link-local and cloud metadata addresses by default, and nothing else', () => {
    expect(DEFAULT_DENIED).toContain('169.254.0.0/16');
    for (const address of ['169.254.169.254', 'fe80::1', 'fd00:ec2::254', '100.100.100.200'])
      expect(policy.denies(address), address).toBe(true);
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '192.0.2.10', '100.100.100.201'])
      expect(policy.denies(address), address).toBe(false);
    expect(() => policy.check('https://169.254.169.254:443/')).toThrow(/may not reach/);
    expect(() => policy.check('https://[fe80::1]:6443')).toThrow(/may not reach/);
    expect(() => policy.check('https://127.0.0.1:6443')).not.toThrow();
  });

  it('refuses a name that resolves to a denied address at lookup, so no connection is made', async () => {
    const loopbackDenied = new AddressPolicy(['127.0.0.0/8', '::1/128']);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      loopbackDenied.lookup('localhost', {}, (err) => resolve(err)),
    );
    expect(error?.code).toBe('EDENIED');
    const allowed = await new Promise<string | unknown>((resolve) =>
      policy.lookup('localhost', {}, (err, address) => resolve(err ?? address)),
    );
    expect(allowed).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
