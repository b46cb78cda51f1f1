import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SKIP_KUBE,
  identityConfig,
  startKube,
  type Kube,
} from '../../apps/kms-plugin/test/kube.ts';

/**
 * Issue 26: the Helm chart deploy/helm/keyhaven passes `helm lint`, and what `helm template`
 * renders is accepted by a real kube-apiserver (server-side dry-run, strict field validation) for
 * both store modes; settings that cannot work fail the install with the reason.
 */
const root = resolve(import.meta.dirname, '../..');
const chart = join(root, 'deploy/helm/keyhaven');
const NAMESPACE = 'keyhaven';
const run = promisify(execFile);
let helm: string;
let dir: string;
let kube: Kube;

const MODES = {
  'one replica on SQLite': [
    '--set',
    'secretName=keyhaven-keys',
    '--set',
    'tls.secretName=keyhaven-tls',
  ],
  'three replicas on etcd': [
    '--set',
    'secretName=keyhaven-keys',
    '--set',
    'tls.secretName=keyhaven-tls',
    '--set',
    'engine.store=etcd',
    '--set',
    'engine.replicas=3',
    '--set',
    'engine.etcd.endpoints={http://etcd-0.etcd:2379,http://etcd-1.etcd:2379,http://etcd-2.etcd:2379}',
  ],
};

/** Where the API serves a kind (the chart's kinds only). */
const RESOURCES: Record<string, string> = {
  'v1/Service': 'api/v1/namespaces/keyhaven/services',
  'v1/ServiceAccount': 'api/v1/namespaces/keyhaven/serviceaccounts',
  'apps/v1/StatefulSet': 'apis/apps/v1/namespaces/keyhaven/statefulsets',
  'apps/v1/Deployment': 'apis/apps/v1/namespaces/keyhaven/deployments',
  'policy/v1/PodDisruptionBudget': 'apis/policy/v1/namespaces/keyhaven/poddisruptionbudgets',
};

async function template(args: string[]) {
  const { stdout } = await run(helm, ['template', 'kh', chart, '-n', NAMESPACE, ...args], {
    maxBuffer: 1 << 24,
  });
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string } })
    .filter(Boolean);
}

beforeAll(async () => {
  if (SKIP_KUBE) return;
  helm = (await run('bash', [join(root, 'scripts/helm.sh')], { maxBuffer: 1 << 24 })).stdout.trim();
  dir = mkdtempSync(join(tmpdir(), 'kh-helm-'));
  kube = await startKube(join(dir, 'kube'), identityConfig);
  const ns = await kube.request('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE },
  });
  expect(ns.status, ns.text).toBe(201);
}, 900_000);

afterAll(async () => {
  if (SKIP_KUBE) return;
  await kube?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(SKIP_KUBE)('the Helm chart', () => {
  it.each(Object.entries(MODES))('passes helm lint for %s', async (_mode, args) => {
    const { stdout } = await run(helm, ['lint', chart, '--strict', ...args]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it.each(Object.entries(MODES))(
    'renders what a real API server accepts (server-side dry-run) for %s',
    async (mode, args) => {
      const objects = await template(args);
      const kinds = objects.map((o) => o.kind).sort();
      expect(kinds).toEqual(
        mode.startsWith('one')
          ? [
              'Deployment',
              'PodDisruptionBudget',
              'Service',
              'Service',
              'Service',
              'ServiceAccount',
              'StatefulSet',
            ]
          : [
              'Deployment',
              'PodDisruptionBudget',
              'PodDisruptionBudget',
              'Service',
              'Service',
              'Service',
              'ServiceAccount',
              'StatefulSet',
            ],
      );
      for (const object of objects) {
        const path = RESOURCES[`${object.apiVersion}/${object.kind}`];
        expect(path, `${object.apiVersion}/${object.kind}`).toBeDefined();
        const answer = await kube.request(
          'POST',
          `/${path}?dryRun=All&fieldValidation=Strict`,
          object,
        );
        expect(answer.status, `${object.kind} ${object.metadata.name}: ${answer.text}`).toBe(201);
      }
      const engine = objects.find((o) => o.kind === 'StatefulSet') as unknown as {
        spec: {
          replicas: number;
          template: { spec: { containers: { env: { name: string; value?: string }[] }[] } };
        };
      };
      const env = Object.fromEntries(
        engine.spec.template.spec.containers[0]?.env.map((e) => [e.name, e.value]) ?? [],
      );
      expect(engine.spec.replicas).toBe(mode.startsWith('one') ? 1 : 3);
      expect(env.KEYHAVEN_STORE).toBe(mode.startsWith('one') ? 'sqlite' : 'etcd');
      expect(env.KEYHAVEN_KEK_FILE).toBe('/keys/kek');
      expect(env.KEYHAVEN_ADMIN_PASSWORD_FILE).toBe('/keys/admin-password');
      expect(env.KEYHAVEN_PUBLIC_URL).toBe('https://kh-keyhaven-engine.keyhaven.svc:8081');
      expect(env.KEYHAVEN_TLS_CLIENT_CA_FILE).toBe('/tls/ca.crt');
    },
  );

  it('keeps key material out of values and refuses settings that cannot work', async () => {
    const refusal = (args: string[]) =>
      run(helm, ['template', 'kh', chart, ...args]).then(
        () => '',
        (err: { stderr: string }) => err.stderr,
      );
    expect(await refusal([])).toMatch(/secretName is required/);
    expect(await refusal(['--set', 'secretName=k', '--set', 'engine.replicas=3'])).toMatch(
      /engine.store=sqlite runs exactly one engine replica/,
    );
    expect(await refusal(['--set', 'secretName=k', '--set', 'engine.store=etcd'])).toMatch(
      /needs engine.etcd.endpoints/,
    );
    const rendered = JSON.stringify(await template(MODES['one replica on SQLite']));
    expect(rendered).not.toMatch(/"kek":|BEGIN .*PRIVATE KEY/);
    expect(rendered).toContain('"secretName":"keyhaven-keys"');
  });
});
