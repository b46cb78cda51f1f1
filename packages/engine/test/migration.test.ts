import { describe, expect, it } from 'vitest';
import { KubeError, type KubeSecret } from '../src/kube/client.ts';
import { rewrite } from '../src/master/migration.ts';

const secret = (resourceVersion: string): KubeSecret => ({
  metadata: { namespace: 'team-a', name: 'db', resourceVersion },
  data: { password: 'cw==' },
});

/** An API server that answers each PUT from a script, and GET with the latest version. */
function apiServer(answers: ('ok' | 'conflict' | 'gone')[], latest = secret('9')) {
  const puts: string[] = [];
  return {
    puts,
    client: {
      async replaceSecret(s: KubeSecret) {
        puts.push(s.metadata.resourceVersion);
        const answer = answers.shift() ?? 'ok';
        if (answer === 'conflict') throw new KubeError('CONFLICT', 'changed', 409);
        if (answer === 'gone') throw new KubeError('NOT_FOUND', 'gone', 404);
        return s;
      },
      async getSecret() {
        if (latest.metadata.resourceVersion === 'deleted')
          throw new KubeError('NOT_FOUND', 'gone', 404);
        return latest;
      },
    },
  };
}

describe('the storage migration writes each Secret back unchanged', () => {
  it('reads a Secret that changed meanwhile again and writes the new version back', async () => {
    const api = apiServer(['conflict', 'conflict', 'ok']);
    await rewrite(api.client, secret('5'));
    expect(api.puts).toEqual(['5', '9', '9']);
  });

  it('skips a Secret deleted before its write or before its read again', async () => {
    const gone = apiServer(['gone']);
    await rewrite(gone.client, secret('5'));
    expect(gone.puts).toEqual(['5']);
    const goneOnRead = apiServer(['conflict'], secret('deleted'));
    await rewrite(goneOnRead.client, secret('5'));
    expect(goneOnRead.puts).toEqual(['5']);
  });

  it('gives up after repeated conflicts, so that the job retries the page later', async () => {
    const busy = apiServer(Array(10).fill('conflict'));
    await expect(rewrite(busy.client, secret('5'))).rejects.toThrow(KubeError);
    expect(busy.puts).toHaveLength(6);
  });
});
