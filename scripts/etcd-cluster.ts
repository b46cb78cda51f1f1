// A local etcd cluster on loopback for tests, benchmarks and `npm run cluster:local`: Debian's
// etcd-server 3.4, each member with its own data directory, started and stopped by us.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ETCD_BINARY = '/usr/bin/etcd';

/** A free TCP port on loopback (for tests and local clusters). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  process: ChildProcess | undefined;
  output: string;
}

export interface EtcdCluster {
  members: EtcdMember[];
  endpoints: string[];
  /** The member that leads now (asks each member's status endpoint). */
  leader(): Promise<EtcdMember>;
  /** SIGKILLs a member; its data stays, so start() brings it back. */
  kill(member: EtcdMember): Promise<void>;
  start(member: EtcdMember): Promise<void>;
  stop(): Promise<void>;
}

async function healthy(member: EtcdMember): Promise<boolean> {
  try {
    const res = await fetch(`${member.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { health: string }).health === 'true';
  } catch {
    return false;
  }
}

/**
 * Starts an n-member cluster (default 3) with data under dir (tmpfs is faster: etcd fsyncs every
 * commit) and resolves once every member reports healthy.
 */
export async function startEtcdCluster(dir: string, size = 3): Promise<EtcdCluster> {
  const members: EtcdMember[] = [];
  for (let i = 1; i <= size; i++) {
    const name = `etcd-${i}`;
    members.push({
      name,
      clientUrl: `http://127.0.0.1:${await freePort()}`,
      peerUrl: `http://127.0.0.1:${await freePort()}`,
      dataDir: join(dir, name),
      process: undefined,
      output: '',
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const start = async (member: EtcdMember) => {
    mkdirSync(member.dataDir, { recursive: true, mode: 0o700 });
    const child = spawn(
      ETCD_BINARY,
      [
        '--name',
        member.name,
        '--data-dir',
        member.dataDir,
        '--listen-client-urls',
        member.clientUrl,
        '--advertise-client-urls',
        member.clientUrl,
        '--listen-peer-urls',
        member.peerUrl,
        '--initial-advertise-peer-urls',
        member.peerUrl,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        'keyhaven-local',
        '--heartbeat-interval',
        '50',
        '--election-timeout',
        '500',
        '--log-level',
        'error',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    member.process = child;
    member.output = '';
    child.stdout?.on('data', (d) => (member.output += String(d)));
    child.stderr?.on('data', (d) => (member.output += String(d)));
  };
  const waitHealthy = async (targets: EtcdMember[]) => {
    for (let i = 0; i < 300; i++) {
      const states = await Promise.all(targets.map(healthy));
      if (states.every(Boolean)) return;
      for (const m of targets)
        if (m.process?.exitCode != null)
          throw new Error(`etcd member ${m.name} exited:\n${m.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd did not become healthy:\n${targets.map((m) => m.output).join('\n')}`);
  };
  for (const member of members) await start(member);
  await waitHealthy(members);

  const kill = async (member: EtcdMember) => {
    const child = member.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    member.process = undefined;
  };
  return {
    members,
    endpoints: members.map((m) => m.clientUrl),
    async leader() {
      for (let attempt = 0; attempt < 100; attempt++) {
        for (const member of members) {
          if (!member.process) continue;
          try {
            const res = await fetch(`${member.clientUrl}/v3/maintenance/status`, {
              method: 'POST',
              body: '{}',
              signal: AbortSignal.timeout(1000),
            });
            const status = (await res.json()) as { header: { member_id: string }; leader: string };
            if (status.leader && status.leader === status.header.member_id) return member;
          } catch {
            // this member does not answer; ask the next
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no etcd leader');
    },
    kill,
    async start(member) {
      await start(member);
      await waitHealthy([member]);
    },
    async stop() {
      await Promise.all(members.map(kill));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
