import type { Command } from 'commander';

/** Every command path (`ks kms enable`) with the words that may follow it. */
function commandWords(command: Command, path: string[] = [], into = new Map<string, string[]>()) {
  const words = [
    ...command.commands.map((c) => c.name()),
    ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))),
    '--help',
  ];
  into.set(path.join(' '), words);
  for (const sub of command.commands) commandWords(sub, [...path, sub.name()], into);
  return into;
}

/** A bash completion script for the program's commands and flags. */
export function bashCompletion(program: Command): string {
  const cases = [...commandWords(program)]
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# keyhaven bash completion: eval "$(keyhaven completion bash)"
_keyhaven() {
  local cur path="" i word words=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "\${path:+$path }$word" in
${[...commandWords(program).keys()]
  .filter(Boolean)
  .map((p) => `      "${p}") path="${p}" ;;`)
  .join('\n')}
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _keyhaven keyhaven
`;
}

export function completionCommand(program: Command) {
  program
    .command('completion')
    .description('Print a shell completion script')
    .argument('<shell>', 'bash')
    .addHelpText('after', '\nExamples:\n  eval "$(keyhaven completion bash)"\n')
    .action((shell: string) => {
      if (shell !== 'bash') program.error(`completion: only bash is supported, not ${shell}`);
      process.stdout.write(bashCompletion(program));
    });
}
