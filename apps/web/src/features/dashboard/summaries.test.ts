import { describe, expect, it } from 'vitest';
import type { DashboardKey, DashboardMigration } from '@keyhaven/contracts';
import {
  clusterStates,
  expiringKeys,
  keyAges,
  nextRotations,
  rateText,
  troubledClusters,
} from './summaries.ts';

const now = new Date('2026-12-07T12:00:00.000Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();

const key = (over: Partial<DashboardKey>): DashboardKey => ({
  id: 'k',
  name: 'k',
  instanceId: 'kp',
  instanceName: 'kp',
  state: 1,
  creationDate: daysAgo(1),
  lastRotateDate: null,
  nextRotationDate: null,
  expirationDate: null,
  usedBy: 0,
  ...over,
});

describe('the dashboard summaries', () => {
  it('counts clusters per encryption state, every state listed, each linking to its list', () => {
    const states = clusterStates([
      { kmsEnabled: true, masterHealth: 'normal' },
      { kmsEnabled: true, masterHealth: 'normal' },
      { kmsEnabled: false, masterHealth: 'normal' },
      { kmsEnabled: false, masterHealth: 'in_progress' },
      { kmsEnabled: true, masterHealth: 'warning' },
      { kmsEnabled: true, masterHealth: 'critical' },
    ]);
    expect(states.map((s) => [s.group, s.value, s.href])).toEqual([
      ['KMS enabled', 2, '/clusters?state=enabled'],
      ['Not enabled', 1, '/clusters?state=not-enabled'],
      ['In progress', 1, '/clusters?state=in-progress'],
      ['Warning', 1, '/clusters?state=warning'],
      ['Critical', 1, '/clusters?state=critical'],
    ]);
    expect(clusterStates([]).every((s) => s.value === 0)).toBe(true);
  });

  it('ages keys from their last rotation (else creation), at the bucket edges, leaving deleted ones out', () => {
    const ages = keyAges(
      [
        key({ creationDate: daysAgo(29.9) }),
        key({ creationDate: daysAgo(30) }),
        key({ creationDate: daysAgo(400), lastRotateDate: daysAgo(89) }),
        key({ creationDate: daysAgo(90) }),
        key({ creationDate: daysAgo(364) }),
        key({ creationDate: daysAgo(365) }),
        key({ creationDate: daysAgo(900), state: 5 }),
      ],
      now,
    );
    expect(ages.map((b) => [b.group, b.value])).toEqual([
      ['Under 30 days', 1],
      ['30–90 days', 2],
      ['90 days–1 year', 2],
      ['Over 1 year', 1],
    ]);
  });

  it('sorts keys by their next rotation, those without a policy apart', () => {
    const soon = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString();
    const rotations = nextRotations(
      [
        key({ nextRotationDate: soon(-1) }),
        key({ nextRotationDate: soon(29) }),
        key({ nextRotationDate: soon(30) }),
        key({ nextRotationDate: soon(89) }),
        key({ nextRotationDate: soon(90) }),
        key({}),
        key({ state: 5, nextRotationDate: soon(1) }),
      ],
      now,
    );
    expect(rotations.map((b) => b.value)).toEqual([2, 2, 1, 1]);
  });

  it('lists keys expiring within 30 days (and expired ones), soonest first', () => {
    const at = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString();
    const keys = expiringKeys(
      [
        key({ name: 'later', expirationDate: at(30) }),
        key({ name: 'soon', expirationDate: at(10) }),
        key({ name: 'expired', expirationDate: at(-2) }),
        key({ name: 'never' }),
        key({ name: 'deleted', expirationDate: at(1), state: 5 }),
      ],
      now,
    );
    expect(keys.map((k) => k.name)).toEqual(['expired', 'soon']);
  });

  it('lists clusters in trouble, critical first, then by name', () => {
    const rows = [
      { name: 'b', masterHealth: 'warning' as const },
      { name: 'c', masterHealth: 'critical' as const },
      { name: 'a', masterHealth: 'warning' as const },
      { name: 'd', masterHealth: 'normal' as const },
      { name: 'e', masterHealth: 'in_progress' as const },
    ];
    expect(troubledClusters(rows).map((c) => c.name)).toEqual(['c', 'a', 'b']);
  });

  it('says a migration rate in secrets per second, or why there is none', () => {
    const m = (over: Partial<DashboardMigration>): DashboardMigration => ({
      clusterId: 'c',
      clusterName: 'c',
      reason: 'enable',
      state: 'succeeded',
      rootKeyName: 'k',
      done: 10,
      total: 10,
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      perSecond: 1234.4,
      ...over,
    });
    expect(rateText(m({}))).toBe('1,234 secrets/s');
    expect(rateText(m({ perSecond: null, total: 0, done: 0 }))).toBe('Nothing to re-encrypt');
    expect(rateText(m({ perSecond: null }))).toBe('—');
  });
});
