import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPage, Dashboard } from '@keyhaven/contracts';
import { startEngineServer, type EngineServer } from '../../engine/test/harness.ts';
import { login, makeBff } from './harness.ts';

let e: EngineServer;
let app: ReturnType<typeof makeBff>;
beforeAll(async () => {
  e = await startEngineServer({ secrets: 10 });
  app = makeBff([e.url]);
});
afterAll(async () => {
  await e.close();
});

describe('BFF dashboard and audit log', () => {
  it("answers the dashboard with every readable instance's keys and the latest migrations", async () => {
    const { agent, csrf } = await login(app);
    const crk = e.t.keys.get('cluster-root-key-1');
    await agent
      .post('/api/clusters/c-dev-us-east/kms')
      .set('x-csrf-token', csrf)
      .send({ instance_id: 'kp-us-south', crk_id: crk })
      .expect(202);
    await e.t.engine.controller.settled('c-dev-us-east');
    const dashboard = Dashboard.parse((await agent.get('/api/dashboard').expect(200)).body);
    expect(new Set(dashboard.keys.map((k) => k.instanceName))).toEqual(
      new Set(['keyhaven-key-protect', 'keyhaven-hpcs', 'partner-key-protect']),
    );
    expect(dashboard.keys.find((k) => k.id === crk)).toMatchObject({ usedBy: 1, state: 1 });
    expect(dashboard.migrations).toEqual([
      expect.objectContaining({
        clusterId: 'c-dev-us-east',
        reason: 'enable',
        state: 'succeeded',
        rootKeyName: 'cluster-root-key-1',
        done: 12,
        total: 12,
        perSecond: expect.any(Number),
      }),
    ]);
    expect(dashboard.unreadInstances).toEqual([]);
  });

  it('pages and filters the audit log, and refuses a viewer and bad filters by name', async () => {
    const { agent } = await login(app);
    const enabled = AuditPage.parse(
      (await agent.get('/api/audit/events?action=kms&targetId=c-dev-us-east').expect(200)).body,
    );
    expect(enabled.entries.map((x) => x.action)).toEqual(['kms.ready', 'kms.enable']);
    const first = AuditPage.parse((await agent.get('/api/audit/events?limit=1').expect(200)).body);
    expect(first.entries).toHaveLength(1);
    const second = AuditPage.parse(
      (await agent.get(`/api/audit/events?limit=1&after=${first.next}`).expect(200)).body,
    );
    expect(second.entries[0]?.id).not.toBe(first.entries[0]?.id);

    const bad = await agent.get('/api/audit/events?from=yesterday').expect(400);
    expect(bad.body.message).toMatch(/from/);
    const { agent: viewer } = await login(app, 'viewer');
    const refused = await viewer.get('/api/audit/events').expect(403);
    expect(refused.body.message).toMatch(/Viewer platform role on all clusters/);
  });
});
