#!/usr/bin/env node
import { REBUILD_INDEX_HELP, runRebuildIndex } from './rebuild-index-command';
import { runVerifyExport, VERIFY_EXPORT_HELP } from './verify-export';

/**
 * `keepwatch-admin`: the operator's command line (package.json `bin`). One subcommand per file in admin/, listed in
 * {@link COMMANDS}; each takes its arguments, writes to stdout/stderr and returns the exit code.
 */
type Command = (args: readonly string[], out: (text: string) => void, err: (text: string) => void) => Promise<number>;

/** Subcommand → its runner and one line of help. Add a command here (one line) and in its own file. */
const COMMANDS: Record<string, { run: Command; help: string }> = {
  'rebuild-index': { run: runRebuildIndex, help: REBUILD_INDEX_HELP.split('\n')[0]! },
  'verify-export': { run: runVerifyExport, help: VERIFY_EXPORT_HELP.split('\n')[0]! },
};

const HELP = `keepwatch-admin — Keepwatch operator commands

Usage:
${Object.values(COMMANDS).map((c) => `  ${c.help}`).join('\n')}

keepwatch-admin COMMAND --help shows a command's help.`;

/** Runs `argv` (without node and the script). @returns the exit code */
export async function keepwatchAdmin(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? err : out)(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`keepwatch-admin: unknown command '${name}'\n${HELP}\n`);
    return 2;
  }
  return command.run(args, out, err);
}

if (require.main === module) {
  keepwatchAdmin(process.argv.slice(2), (t) => process.stdout.write(t), (t) => process.stderr.write(t)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`keepwatch-admin: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
