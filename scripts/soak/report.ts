// The soak's one table, and whether the run failed.
import { faultsByKind, type Fault } from './faults.ts';
import type { FinishedJob } from './controller.ts';
import type { Ledger } from './ledger.ts';

const n = (x: number) => x.toLocaleString('en-US');

/** How many key updates and rotations finished, and how long they took (median, longest). */
function jobSummary(jobs: FinishedJob[]): string {
  const seconds = jobs.map((j) => j.seconds).sort((a, b) => a - b);
  const rotations = jobs.filter((j) => j.reason === 'rotate').length;
  const median = seconds[Math.floor(seconds.length / 2)] ?? 0;
  return `${jobs.length} (${jobs.length - rotations} key updates, ${rotations} rotations; median ${median.toFixed(1)} s, longest ${(seconds.at(-1) ?? 0).toFixed(1)} s)`;
}

export function printTable(run: {
  minutes: number;
  seed: number;
  ledger: Ledger;
  faults: Fault[];
  jobs: FinishedJob[];
  violations: string[];
}): boolean {
  const { ledger, faults, violations } = run;
  const kinds = faultsByKind(faults);
  const rows: [string, string][] = [
    ['minutes', String(run.minutes)],
    ['seed', String(run.seed)],
    ['writes acknowledged', `${n(ledger.acked)} (${n(ledger.failed)} refused or unanswered)`],
    ['reads checked', n(ledger.reads)],
    ['faults injected', `${faults.length} across ${kinds.length} kinds`],
    ...kinds.map(({ kind, count, p50, p95 }): [string, string] => [
      `  ${kind}`,
      `${count}, recovery p50 ${p50.toFixed(1)} s, p95 ${p95.toFixed(1)} s`,
    ]),
    ['jobs finished', jobSummary(run.jobs)],
    ['lost', String(ledger.lost)],
    ['stale', String(ledger.stale)],
    ['values never written', String(ledger.unknown)],
    ['invariant violations', String(violations.length)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('\n| Soak | |\n|---|---|');
  for (const [key, value] of rows) console.log(`| ${key.padEnd(width)} | ${value} |`);
  for (const problem of [...ledger.problems, ...violations]) console.log(`  FAIL ${problem}`);
  const failed =
    ledger.lost + ledger.stale + ledger.unknown + violations.length > 0 || ledger.acked === 0;
  console.log(failed ? '\nSoak FAILED' : '\nSoak passed: 0 lost, 0 stale, 0 violations');
  return failed;
}
