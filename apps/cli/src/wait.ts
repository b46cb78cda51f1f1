import {
  count,
  engineApi,
  isMasterReady,
  printable,
  statusStreamReader,
  type StatusEvent,
} from '@keyhaven/contracts';
import type { EngineApi } from './client.ts';
import { CliError } from './errors.ts';

const BAR_WIDTH = 30;

/** What an event means for a waiting enablement: still running, done, or failed with a reason. */
function outcome(event: StatusEvent): 'running' | 'ready' | 'failed' {
  if (event.progress !== null) return 'running';
  if (event.masterHealth === 'normal' && isMasterReady(event.masterStatus))
    return event.keyProtectEnabled ? 'ready' : 'running';
  return 'failed';
}

function progressLine(event: StatusEvent, terminal: boolean): string {
  const p = event.progress;
  if (!p) return event.masterStatus;
  const counts = `${count(p.done)} of ${count(p.total)} secrets`;
  if (!terminal) return `${event.masterStatus} ${counts}`;
  const filled = p.total === 0 ? BAR_WIDTH : Math.round((p.done / p.total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${counts}  ${event.masterStatus}`;
}

/**
 * Follows the cluster's master status stream until KMS is enabled and the master is Ready: a
 * progress bar on a terminal, a line per change otherwise (at most one a second for progress).
 * Rejects with the status when the enablement fails, or when `timeoutMs` passes.
 */
export async function waitForReady(
  api: EngineApi,
  clusterId: string,
  { timeoutMs, quiet }: { timeoutMs: number; quiet: boolean },
): Promise<StatusEvent> {
  const terminal = process.stdout.isTTY === true;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let lastLine = '';
  let lastPrinted = 0;
  const show = (event: StatusEvent) => {
    if (quiet) return;
    const line = printable(progressLine(event, terminal));
    if (terminal) {
      process.stdout.write(`\r\u001b[2K${line}`);
      return;
    }
    const now = Date.now();
    const sameStatus =
      line.startsWith(event.masterStatus) && lastLine.startsWith(event.masterStatus);
    if (line === lastLine || (sameStatus && event.progress && now - lastPrinted < 1000)) return;
    process.stdout.write(line + '\n');
    lastLine = line;
    lastPrinted = now;
  };
  try {
    const response = await api.open(engineApi.watchCluster, {
      params: { id: clusterId },
      signal: abort.signal,
    });
    const result = await new Promise<StatusEvent>((resolve, reject) => {
      const parser = statusStreamReader({
        onEvent: (event) => {
          show(event);
          const state = outcome(event);
          if (state === 'ready') resolve(event);
          if (state === 'failed')
            reject(new CliError(`KMS enablement did not finish: ${event.masterStatus}`));
        },
      });
      void (async () => {
        const decoder = new TextDecoder();
        const reader = response.body?.getReader();
        try {
          for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read())
            parser.feed(decoder.decode(chunk.value, { stream: true }));
          reject(new CliError('The status stream ended before the master was Ready.'));
        } catch (err) {
          reject(err);
        }
      })();
    });
    return result;
  } catch (err) {
    if (abort.signal.aborted)
      throw new CliError(
        `The master was not Ready after ${Math.round(timeoutMs / 1000)} s; check again with \`keyhaven ks cluster get -c ${clusterId}\`.`,
      );
    throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
    if (terminal && !quiet) process.stdout.write('\n');
  }
}
