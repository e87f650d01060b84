// `npm start` (package.json: `exec node scripts/start.mjs`, so npm's SIGTERM reaches this process, not a shell that
// would die and leave the stack running). Plain JavaScript, so that it works before anything is compiled:
// - `--help` / `-h` prints local/start-help.txt at once, without compiling;
// - otherwise compiles only what changed since the last build (`tsc -p .` with tsconfig.json's incremental build info
//   in dist/.tsbuildinfo: a few seconds when nothing changed; a fresh clone compiles everything, about a minute),
//   saying so when that takes a while. Not `tsc -b`: it trusts timestamps, and skips a source saved while another
//   build ran (older than that build's info), which in a shared work tree happens; `-p` compares file contents;
// - then runs the stack (dist/local/start.js) in this same process: signals and the exit code are the stack's.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const ENTRY = path.join(root, 'dist', 'local', 'start.js');
const BUILD_INFO = path.join(root, 'dist', '.tsbuildinfo');
/** Compiling longer than this gets a line on the console (a check that finds nothing changed takes 2 to 4 s). */
const SAY_AFTER_MS = 5000;

if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(readFileSync(path.join(root, 'local', 'start-help.txt'), 'utf8'));
  process.exit(0);
}

// tsc trusts its build info and does not notice deleted outputs: without the entry point, compile everything.
if (!existsSync(ENTRY)) rmSync(BUILD_INFO, { force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const child = spawn(process.execPath, [tsc, '-p', '.'], { cwd: root, stdio: 'inherit' });
const say = setTimeout(() => process.stdout.write('Compiling TypeScript (only the sources changed since the last build)…\n'), SAY_AFTER_MS);
// Stopped while compiling: stop the compiler too, and go.
const onSignal = (signal) => {
  child.kill(signal);
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, onSignal);
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
clearTimeout(say);
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(s, onSignal);
if (code !== 0) {
  process.stderr.write(`keepwatch: the TypeScript build failed (tsc exited ${code}); nothing was started\n`);
  process.exit(1);
}
await import(pathToFileURL(ENTRY).href);
