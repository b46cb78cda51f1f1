import { printable } from '@keyhaven/contracts';

/** How a command prints: `--output json` (the API's own shapes, nothing else) and `-q`. */
export interface OutputOptions {
  output?: string;
  quiet?: boolean;
}

const useColor = (stream: NodeJS.WriteStream) =>
  stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';

const paint = (code: number, stream: NodeJS.WriteStream) => (text: string) =>
  useColor(stream) ? `\u001b[${code}m${text}\u001b[0m` : text;

export const green = paint(32, process.stdout);
export const bold = paint(1, process.stdout);
const red = paint(31, process.stderr);

export const isJson = (options: OutputOptions) => options.output === 'json';

/** A line about what is happening ("Retrieving…", "OK"): not with -q, never in JSON output. */
export function info(options: OutputOptions, line: string): void {
  if (!options.quiet && !isJson(options)) process.stdout.write(printable(line) + '\n');
}

/** A warning on stderr, which -q and JSON output keep (they are for what goes to stdout). */
export function warn(line: string): void {
  process.stderr.write(`${paint(33, process.stderr)('WARNING')} ${printable(line)}\n`);
}

export const ok = (options: OutputOptions) => info(options, green('OK'));

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printFailure(message: string): void {
  process.stderr.write(`${red('FAILED')}\n${printable(message)}\n`);
}

/** Columns padded to their widest cell, three spaces apart, as the seeds' CLI prints them. */
export function table(headers: string[], cells: string[][]): string {
  // Whatever the engine relays (a plug-in's health, a cluster's name) prints escaped, never raw.
  const rows = cells.map((r) => r.map(printable));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [bold(line(headers)), ...rows.map(line)].join('\n') + '\n';
}

/** `Label:   value` lines, values aligned. */
export function labelled(cells: [string, string][]): string {
  const pairs = cells.map(([label, value]): [string, string] => [label, printable(value)]);
  const width = Math.max(...pairs.map(([label]) => label.length + 1));
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width)}   ${value}`).join('\n') + '\n';
}
