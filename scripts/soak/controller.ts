// The soak's operator: through the console's server (the BFF) it loops, per cluster, Update to a
// new root key, then a rotation of that key, waiting each time for the job to finish; it also
// checks that a root key in use is never deleted without force.
import type { Cluster } from '@keyhaven/contracts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BffAnswer<T> {
  status: number;
  body: T;
}

/** The console's API as a logged-in user, retrying through outages (the BFF or an engine down). */
export class ConsoleClient {
  private cookie = '';
  private csrf = '';

  constructor(
    private readonly url: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  private async login(): Promise<void> {
    const res = await fetch(`${this.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.username, password: this.password }),
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    this.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  /** One call; no answer at all (the BFF down) throws. */
  async once<T>(method: string, path: string, body?: unknown): Promise<BffAnswer<T>> {
    if (!this.cookie) await this.login();
    const res = await fetch(`${this.url}/api${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.status === 401) this.cookie = '';
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /**
   * Calls until the answer is not an outage (no answer, 401 after a restart, 5xx), for up to
   * `seconds`; the last answer when the time is up.
   */
  async call<T>(method: string, path: string, body?: unknown, seconds = 300) {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const answer = await this.once<T>(method, path, body).catch(() => undefined);
      const outage = !answer || answer.status === 401 || answer.status >= 500;
      if (!outage || Date.now() > deadline) return answer;
      await sleep(500);
    }
  }

  async cluster(id: string): Promise<Cluster | undefined> {
    const answer = await this.call<{ cluster: Cluster }>('GET', `/clusters/${id}`, undefined, 30);
    return answer?.status === 200 ? answer.body.cluster : undefined;
  }
}

export interface FinishedJob {
  clusterId: string;
  reason: string;
  /** From the job's start to its end, as the engine recorded them. */
  seconds: number;
}

export interface ControllerStats {
  jobs: FinishedJob[];
  violations: string[];
}

const INSTANCE = 'kp-us-south';

/** Waits until the cluster's job under key (a new version for a rotation) succeeded and is Ready. */
async function finished(
  api: ConsoleClient,
  clusterId: string,
  done: (job: NonNullable<Cluster['enablement']>) => boolean,
  seconds: number,
): Promise<Cluster | string> {
  const deadline = Date.now() + seconds * 1000;
  let last: Cluster | undefined;
  while (Date.now() < deadline) {
    last = (await api.cluster(clusterId)) ?? last;
    const job = last?.enablement;
    if (job && done(job)) {
      if (job.state === 'failed') return `the job ${job.jobId} failed: ${job.message ?? ''}`;
      if (job.state === 'succeeded' && last?.masterStatus === 'Ready') return last;
    }
    await sleep(1000);
  }
  return `the job did not finish within ${seconds} s: ${last?.masterStatus ?? 'no answer'}`;
}

const finishedJob = (cluster: Cluster): FinishedJob => {
  const job = cluster.enablement;
  const ms = Date.parse(job?.finishedAt ?? '') - Date.parse(job?.startedAt ?? '');
  return { clusterId: cluster.id, reason: job?.reason ?? '', seconds: ms / 1000 };
};

/** Creates a root key through the console; retried under a new name when the answer was lost. */
async function newRootKey(api: ConsoleClient, name: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const created = await api.call<{ id: string }>('POST', `/kms/instances/${INSTANCE}/keys`, {
      name: `${name}-${attempt}`,
    });
    if (created?.status === 201) return created.body.id;
    await sleep(1000);
  }
}

/**
 * One cluster's loop until stop() holds: Update to a new key, wait, refuse to delete it, rotate
 * it, wait. A job that does not finish within jobSeconds is a violation.
 */
export async function controlCluster(
  api: ConsoleClient,
  clusterId: string,
  stop: () => boolean,
  stats: ControllerStats,
  jobSeconds = 300,
): Promise<void> {
  for (let round = 1; !stop(); round++) {
    const crkId = await newRootKey(api, `soak-${clusterId.slice(-6)}-${round}`);
    const enable = await api.call('POST', `/clusters/${clusterId}/kms`, {
      instance_id: INSTANCE,
      crk_id: crkId,
    });
    if (enable?.status !== 202) {
      // A lost answer may still have started the job; anything else is a refusal to look at.
      const now = await api.cluster(clusterId);
      if (now?.enablement?.crkId !== crkId) {
        stats.violations.push(`${clusterId}: Update to ${crkId} answered ${enable?.status}`);
        continue;
      }
    }
    const updated = await finished(api, clusterId, (j) => j.crkId === crkId, jobSeconds);
    if (typeof updated === 'string') {
      stats.violations.push(`${clusterId}: Update: ${updated}`);
      return;
    }
    stats.jobs.push(finishedJob(updated));
    const refused = await api.call('DELETE', `/kms/instances/${INSTANCE}/keys/${crkId}`);
    if (refused && refused.status < 300)
      stats.violations.push(`${clusterId}: root key ${crkId} in use was deleted without force`);
    if (stop()) return;
    const version = updated.enablement?.keyVersion;
    const rotate = await api.call(
      'POST',
      `/kms/instances/${INSTANCE}/keys/${crkId}/actions/rotate`,
    );
    // 429: an earlier try of this call rotated it and its answer was lost (once an hour by hand).
    if (!rotate || (rotate.status >= 300 && rotate.status !== 429)) {
      stats.violations.push(`${clusterId}: rotating ${crkId} answered ${rotate?.status}`);
      continue;
    }
    const rotated = await finished(
      api,
      clusterId,
      (j) => j.crkId === crkId && j.keyVersion !== version,
      jobSeconds,
    );
    if (typeof rotated === 'string') {
      stats.violations.push(`${clusterId}: rotation: ${rotated}`);
      return;
    }
    stats.jobs.push(finishedJob(rotated));
  }
}
