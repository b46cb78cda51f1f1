import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './errors.ts';

/** Reads one line from standard input (a pipe: `echo $KEY | keyhaven login`). */
function readPipedLine(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => (text += String(chunk)));
    process.stdin.on('end', () => resolve(text.split(/\r?\n/)[0] ?? ''));
  });
}

/**
 * Asks for a value on the terminal; with `hidden` nothing typed is echoed (API keys, passwords).
 * Without a terminal, reads one line from standard input instead.
 */
export async function ask(question: string, { hidden = false } = {}): Promise<string> {
  if (!process.stdin.isTTY) {
    const line = await readPipedLine();
    if (!line) throw new CliError(`${question.replace(/:\s*$/, '')} is required.`, 2);
    return line;
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolve(answer.trim());
    });
    muted = hidden;
  });
}

export const isInteractive = () => process.stdin.isTTY === true && process.stderr.isTTY === true;
