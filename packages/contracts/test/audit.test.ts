import { describe, expect, it } from 'vitest';
import { AuditQuery, toCadf, type ActivityEntry } from '../src/index.ts';

const entry = (over: Partial<ActivityEntry> = {}): ActivityEntry => ({
  id: '8234567890123-ffff-0a1b2c3d',
  at: '2026-12-07T12:00:00.000Z',
  accountId: 'acct-demo',
  actor: 'admin',
  action: 'kms.enable',
  target: { kind: 'cluster', id: 'c-dev-us-east' },
  result: 'success',
  message: 'Enabled KMS.',
  ...over,
});

describe('the audit log export (CADF-like)', () => {
  it('maps an entry to an event with initiator, target, observer and account', () => {
    expect(toCadf(entry())).toEqual({
      id: '8234567890123-ffff-0a1b2c3d',
      eventTime: '2026-12-07T12:00:00.000Z',
      action: 'keyhaven.kms.enable',
      outcome: 'success',
      severity: 'normal',
      message: 'Enabled KMS.',
      initiator: { name: 'admin', typeURI: 'service/security/account/user' },
      target: { id: 'cluster/c-dev-us-east', typeURI: 'containers-kubernetes/cluster' },
      observer: { name: 'Keyhaven' },
      account: 'acct-demo',
    });
  });

  it('rates what takes data away as critical, what breaks a cluster or fails as warning', () => {
    const severity = (over: Partial<ActivityEntry>) => toCadf(entry(over)).severity;
    expect(severity({ action: 'key.delete', target: { kind: 'key', id: 'k' } })).toBe('critical');
    expect(severity({ action: 'key.disable' })).toBe('warning');
    expect(severity({ action: 'key.expire' })).toBe('warning');
    expect(severity({ action: 'authorization.delete' })).toBe('warning');
    expect(severity({ action: 'kms.paused' })).toBe('warning');
    expect(severity({ action: 'key.rotate', result: 'failure' })).toBe('warning');
    expect(severity({ action: 'key.enable' })).toBe('normal');
    expect(severity({ action: 'key.create' })).toBe('normal');
  });

  it('names the system as a service, and leaves out an account it does not know', () => {
    const event = toCadf(entry({ actor: 'system', accountId: undefined }));
    expect(event.initiator.typeURI).toBe('service/keyhaven');
    expect(event).not.toHaveProperty('account');
    expect(toCadf(entry({ target: { kind: 'key', id: 'k1' } })).target).toEqual({
      id: 'key/k1',
      typeURI: 'kms/secrets',
    });
  });
});

describe('the audit query', () => {
  it('takes filters, a cursor and a limit, and refuses what it cannot use, naming the field', () => {
    expect(AuditQuery.parse({ action: 'kms', limit: '20' })).toMatchObject({
      action: 'kms',
      limit: 20,
    });
    expect(AuditQuery.parse({}).limit).toBe(100);
    const refused = (q: Record<string, unknown>) =>
      AuditQuery.safeParse(q).error?.issues.map((i) => i.path.join('.'));
    expect(refused({ limit: 0 })).toEqual(['limit']);
    expect(refused({ limit: 501 })).toEqual(['limit']);
    expect(refused({ after: 'x' })).toEqual(['after']);
    expect(refused({ action: 'KMS!' })).toEqual(['action']);
    expect(refused({ targetKind: 'user' })).toEqual(['targetKind']);
    expect(refused({ from: 'yesterday' })).toEqual(['from']);
    expect(refused({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toEqual(['from']);
    expect(refused({ from: '2026-12-01T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toBeUndefined();
  });
});
