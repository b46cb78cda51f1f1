import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditQuery, canReadAudit, type ActivityEntry } from '@keyhaven/contracts';
import { Activity, auditMatches, type ActivityInput } from '../src/domain/activity.ts';
import { enableAndWait, makeEngine, PROD, type TestEngine } from './helpers.ts';

/** Entries read newest first, also when several fall in one millisecond (a CI run's flake). */
let t: TestEngine;
beforeAll(async () => {
  t = await makeEngine({ secrets: 0 });
});
afterAll(() => t.close());

/** An Activity whose clock reads `at` (moved by `tick`), writing to the test engine's store. */
function activityAt(start: string, limits?: { batch: number; scan: number }) {
  let now = new Date(start);
  const activity = new Activity(
    { ...t.engine.ctx, clock: { ...t.engine.ctx.clock, now: () => now } },
    limits,
  );
  return { activity, tick: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

const entry = (accountId: string, over: Partial<ActivityInput> = {}): ActivityInput => ({
  accountId,
  actor: 'admin',
  action: 'test.order',
  target: { kind: 'account', id: accountId },
  result: 'success',
  message: 'an entry',
  ...over,
});

const query = (q: Record<string, unknown> = {}) => AuditQuery.parse(q);

describe('activity', () => {
  it('reads entries made within one millisecond newest first', async () => {
    const { activity } = activityAt('2026-12-07T12:00:00.000Z');
    const messages = Array.from({ length: 20 }, (_, i) => `entry ${i}`);
    for (const message of messages)
      await activity.record(
        entry('order-test', { target: { kind: 'account', id: 'order-test' }, message }),
      );
    const listed = await activity.list('account', 'order-test');
    expect(listed.map((e) => e.message)).toEqual([...messages].reverse());
    expect(new Set(listed.map((e) => e.id)).size).toBe(20);
  });
});

describe('audit log', () => {
  it("keeps each account's entries apart and pages them newest first", async () => {
    const { activity, tick } = activityAt('2026-11-01T00:00:00.000Z');
    for (let i = 0; i < 5; i++) {
      await activity.record(entry('acct-audit-a', { message: `a${i}` }));
      await activity.record(entry('acct-audit-b', { message: `b${i}` }));
      tick(1000);
    }
    const first = await activity.audit('acct-audit-a', query({ limit: 2 }));
    expect(first.entries.map((e) => e.message)).toEqual(['a4', 'a3']);
    expect(first.entries[0]?.accountId).toBe('acct-audit-a');
    expect(first.next).toBe(first.entries[1]?.id);
    const second = await activity.audit('acct-audit-a', query({ limit: 2, after: first.next }));
    expect(second.entries.map((e) => e.message)).toEqual(['a2', 'a1']);
    const last = await activity.audit('acct-audit-a', query({ limit: 2, after: second.next }));
    expect(last).toEqual({ entries: [expect.objectContaining({ message: 'a0' })], next: null });
    const other = await activity.audit('acct-audit-b', query());
    expect(other.entries.map((e) => e.message)).toEqual(['b4', 'b3', 'b2', 'b1', 'b0']);
  });

  it('keeps to the time range, both ends included', async () => {
    const { activity, tick } = activityAt('2026-10-01T00:00:00.000Z');
    for (let i = 0; i < 6; i++) {
      await activity.record(entry('acct-audit-time', { message: `t${i}` }));
      tick(60_000);
    }
    const page = await activity.audit(
      'acct-audit-time',
      query({ from: '2026-10-01T00:01:00.000Z', to: '2026-10-01T00:04:00.000Z' }),
    );
    expect(page.entries.map((e) => e.message)).toEqual(['t4', 't3', 't2', 't1']);
    expect(page.next).toBeNull();
    const before = await activity.audit('acct-audit-time', query({ to: '2026-09-30T00:00:00Z' }));
    expect(before.entries).toEqual([]);
    const ancient = await activity.audit('acct-audit-time', query({ to: '1969-12-31T00:00:00Z' }));
    expect(ancient.entries).toEqual([]);
    const future = await activity.audit('acct-audit-time', query({ to: '2999-01-01T00:00:00Z' }));
    expect(future.entries).toHaveLength(6);
  });

  it('filters by who, what (an action or its start), and resource', async () => {
    const { activity, tick } = activityAt('2026-09-01T00:00:00.000Z');
    const account = 'acct-audit-filter';
    const write = async (over: Partial<ActivityInput>) => {
      await activity.record(entry(account, over));
      tick(10);
    };
    await write({ actor: 'alice', action: 'kms.enable', target: { kind: 'cluster', id: 'c1' } });
    await write({ actor: 'bob', action: 'kms.ready', target: { kind: 'cluster', id: 'c2' } });
    await write({ actor: 'alice', action: 'kmsx.other', target: { kind: 'key', id: 'k1' } });
    await write({ actor: 'bob', action: 'key.disable', target: { kind: 'key', id: 'k1' } });
    const messagesOf = async (q: Record<string, unknown>) =>
      (await activity.audit(account, query(q))).entries.map((e) => `${e.actor} ${e.action}`);
    expect(await messagesOf({ actor: 'alice' })).toEqual(['alice kmsx.other', 'alice kms.enable']);
    expect(await messagesOf({ action: 'kms' })).toEqual(['bob kms.ready', 'alice kms.enable']);
    expect(await messagesOf({ action: 'kms.ready' })).toEqual(['bob kms.ready']);
    expect(await messagesOf({ targetKind: 'key' })).toEqual([
      'bob key.disable',
      'alice kmsx.other',
    ]);
    expect(await messagesOf({ targetId: 'c2' })).toEqual(['bob kms.ready']);
    expect(await messagesOf({ actor: 'bob', targetKind: 'key', targetId: 'k1' })).toEqual([
      'bob key.disable',
    ]);
  });

  it('stops a scan that finds little at its limit and says where to go on', async () => {
    const { activity, tick } = activityAt('2026-08-01T00:00:00.000Z', { batch: 2, scan: 3 });
    const account = 'acct-audit-scan';
    for (let i = 0; i < 8; i++) {
      await activity.record(
        entry(account, { actor: i === 1 ? 'rare' : 'common', message: `s${i}` }),
      );
      tick(10);
    }
    const rare = query({ actor: 'rare' });
    // Two batches (s7 s6, s5 s4) pass the limit of 3 with nothing found: go on after s4.
    const first = await activity.audit(account, rare);
    expect(first.entries).toEqual([]);
    const all = await activity.audit(account, query());
    expect(first.next).toBe(all.entries[3]?.id);
    const second = await activity.audit(account, { ...rare, after: first.next ?? undefined });
    expect(second.entries.map((e) => e.message)).toEqual(['s1']);
    expect(auditMatches(all.entries[0] as ActivityEntry, rare)).toBe(false);
  });

  it('records what users and the engine do under the account of the resource', async () => {
    await enableAndWait(t, PROD, 'cluster-root-key-1');
    const page = await t.engine.activity.audit('acct-demo', query({ targetId: PROD }));
    const actions = page.entries.map((e) => e.action);
    expect(actions).toContain('kms.enable');
    expect(actions).toContain('kms.ready');
    expect(page.entries.every((e) => e.accountId === 'acct-demo')).toBe(true);
    const keys = await t.engine.activity.audit('acct-demo', query({ targetKind: 'key' }));
    expect(keys.entries.some((e) => e.action === 'key.register')).toBe(true);
  });

  it("writes a key's changes to its account, and each cluster's to the cluster's own", async () => {
    const STAGING = 'c-staging-us-south';
    const PARTNER = 'kp-partner-eu-de';
    const partnerKey = (await t.engine.keys.list(t.admin, PARTNER))[0]?.id ?? '';
    await t.engine.controller.enable(t.admin, {
      cluster: STAGING,
      instance_id: PARTNER,
      crk_id: partnerKey,
      account_id: 'acct-partner',
      private_endpoint: true,
    });
    await t.engine.controller.settled(STAGING);
    await t.engine.keyLifecycle.setEnabled(t.admin, PARTNER, partnerKey, false);
    await t.engine.keyLifecycle.setEnabled(t.admin, PARTNER, partnerKey, true);
    await t.engine.keyLifecycle.rotate(t.admin, PARTNER, partnerKey);
    await t.engine.controller.settled(STAGING);
    await t.engine.keyLifecycle.delete(t.admin, PARTNER, partnerKey, true);
    const outcomes = (page: { entries: ActivityEntry[] }) =>
      page.entries.map((e) => [e.action, e.result, e.accountId]);
    expect(
      outcomes(await t.engine.activity.audit('acct-partner', query({ targetId: partnerKey }))),
    ).toEqual([
      ['key.delete', 'success', 'acct-partner'],
      ['key.rotate', 'success', 'acct-partner'],
      ['key.enable', 'success', 'acct-partner'],
      ['key.disable', 'success', 'acct-partner'],
      ['key.register', 'success', 'acct-partner'],
      ['key.create', 'success', 'acct-partner'],
    ]);
    expect(
      outcomes(
        await t.engine.activity.audit('acct-demo', query({ targetId: STAGING, action: 'key' })),
      ),
    ).toEqual([
      ['key.delete', 'failure', 'acct-demo'],
      ['key.enable', 'success', 'acct-demo'],
      ['key.disable', 'success', 'acct-demo'],
    ]);
    expect(
      (await t.engine.activity.audit('acct-partner', query({ targetId: STAGING }))).entries,
    ).toEqual([]);
  });

  it('is for who may read every cluster and KMS instance of the account', () => {
    expect(canReadAudit(t.admin)).toBe(true);
    expect(canReadAudit(t.viewer)).toBe(false);
  });
});
