// `npm run fuzz`: runs the fuzz tests (dist/test/fuzz/) with KEEPWATCH_FUZZ_RUNS cases per property (default 1000,
// ≥ 10,000 cases in all) and prints how many cases each property and the whole run generated. The same files run in
// `npm test` with a small default (test/helpers/fuzz.ts). A failure prints fast-check's seed and counterexample;
// replay it with KEEPWATCH_FUZZ_SEED={seed}. Usage: npm run fuzz [-- <cases per property>]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runs = process.argv[2] ?? process.env.KEEPWATCH_FUZZ_RUNS ?? '1000';
if (!/^[1-9]\d{0,7}$/.test(runs)) {
  console.error(`fuzz: cases per property must be a positive integer, got ${runs}`);
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-fuzz-'));
const tally = path.join(dir, 'tally.tsv');
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', 'dist/test/fuzz/'], {
  stdio: 'inherit',
  env: { ...process.env, KEEPWATCH_FUZZ_RUNS: runs, KEEPWATCH_FUZZ_TALLY: tally },
});
const lines = existsSync(tally) ? readFileSync(tally, 'utf8').trim().split('\n').filter(Boolean) : [];
rmSync(dir, { recursive: true, force: true });
let total = 0;
for (const line of lines) {
  const [name, count] = line.split('\t');
  total += Number(count);
  console.log(`fuzz: ${name.padEnd(36)} ${count} cases`);
}
console.log(`fuzz: ${lines.length} properties passed, ${total} generated cases in total (KEEPWATCH_FUZZ_RUNS=${runs})`);
process.exit(result.status ?? 1);
