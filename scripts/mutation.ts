/**
 * `npm run test:mutation`: Stryker over the core (stryker.config.mjs), then each module judged
 * alone against `break` (90%): Stryker's own `break` judges the whole run, where a module that
 * few tests reach could hide behind the others.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { calculateMetrics } from 'mutation-testing-metrics';
import type { MutationTestResult } from 'mutation-testing-report-schema';
import config from '../stryker.config.mjs';

const REPORT = 'reports/mutation/mutation.json';
const BREAK = config.thresholds?.break ?? 90;

const stryker = spawnSync('npx', ['stryker', 'run'], { stdio: 'inherit' });
if (stryker.error) throw stryker.error;
if (stryker.status !== 0) {
  // Its report, if any, is an earlier run's: say nothing from it.
  console.error(`\nStryker did not finish (exit code ${stryker.status}): see its output above.`);
  process.exit(1);
}

const report = JSON.parse(readFileSync(REPORT, 'utf8')) as MutationTestResult;
const rows = Object.entries(report.files)
  .map(([file, result]) => {
    const m = calculateMetrics({ [file]: result }).metrics;
    return {
      file,
      score: m.mutationScore,
      killed: m.totalDetected,
      survived: m.survived,
      noCoverage: m.noCoverage,
    };
  })
  .sort((a, b) => a.score - b.score);

const pct = (n: number) => `${n.toFixed(1).padStart(5)}%`;
console.log(
  `\nMutation score per module (killed or timed out / valid mutants; break ${BREAK}%):\n`,
);
console.log(`${'module'.padEnd(50)} score  killed survived no-cover`);
for (const r of rows)
  console.log(
    `${r.file.padEnd(50)} ${pct(r.score)} ${String(r.killed).padStart(6)} ${String(r.survived).padStart(8)} ${String(r.noCoverage).padStart(8)}${r.score < BREAK ? '  BELOW BREAK' : ''}`,
  );
const below = rows.filter((r) => r.score < BREAK);
const missing = (config.mutate ?? []).filter((f) => f !== undefined && !(f in report.files));
if (missing.length > 0) console.error(`\nNo mutants reported for: ${missing.join(', ')}`);
if (below.length > 0)
  console.error(
    `\n${below.length} module(s) below ${BREAK}%: ${below.map((r) => r.file).join(', ')}`,
  );
const overall = calculateMetrics(report.files).metrics.mutationScore;
console.log(`\nAll modules: ${pct(overall)}`);
const ok = below.length === 0 && missing.length === 0;
if (ok) console.log(`\nEvery module at or above ${BREAK}%.`);
process.exit(ok ? 0 : 1);
