import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Activity } from '../src/domain/activity.ts';
import { makeEngine, type TestEngine } from './helpers.ts';

/** Entries read newest first, also when several fall in one millisecond (a CI run's flake). */
let t: TestEngine;
beforeAll(async () => {
  t = await makeEngine({ secrets: 0 });
});
afterAll(() => t.close());

describe('activity', () => {
  it('reads entries made within one millisecond newest first', async () => {
    const frozen = new Date('2026-12-07T12:00:00.000Z');
    const activity = new Activity({
      ...t.engine.ctx,
      clock: { ...t.engine.ctx.clock, now: () => frozen },
    });
    const messages = Array.from({ length: 20 }, (_, i) => `entry ${i}`);
    for (const message of messages)
      await activity.record({
        actor: 'admin',
        action: 'test.order',
        target: { kind: 'account', id: 'order-test' },
        result: 'success',
        message,
      });
    const listed = await activity.list('account', 'order-test');
    expect(listed.map((e) => e.message)).toEqual([...messages].reverse());
    expect(new Set(listed.map((e) => e.id)).size).toBe(20);
  });
});
