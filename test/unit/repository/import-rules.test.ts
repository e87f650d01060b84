import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

/**
 * Which top-level folders may import which. The two programs, the edge agent (`edge-agent/`) and the cloud
 * (`functions/`), never import each other nor the local stack that runs them; the pure domain code both run
 * (`shared/`) imports neither. The product (`edge-agent/`, `functions/`, `shared/`, and the local stack in
 * `local/`) imports neither the tests (`test/`) nor the testbed (`testbed/`: the real counterparts tests and benchmarks
 * run against, such as GStreamer's RTSP test camera and a TCP proxy that cuts a link). The benchmarks (`bench/`) may
 * use the testbed but not the tests, and the testbed imports neither the tests nor the benchmarks.
 */

/** The work tree this test was built from (`dist/test/unit/repository/` lies inside it). */
const REPO_ROOT = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: __dirname, encoding: 'utf8' }).trim();

/** Top-level folder → the top-level folders its files must not import from. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  'edge-agent': ['functions', 'local', 'test', 'testbed'],
  functions: ['edge-agent', 'local', 'test', 'testbed'],
  shared: ['edge-agent', 'functions', 'local', 'bench', 'test', 'testbed'],
  local: ['test', 'testbed'],
  admin: ['edge-agent', 'local', 'test', 'testbed'],
  bench: ['test'],
  testbed: ['test', 'bench'],
};

/** Source files (tracked or new, not ignored) under the folders of {@link FORBIDDEN}, `/`-separated, relative to the root. */
const SOURCES: string[] = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard', ...Object.keys(FORBIDDEN)], {
  cwd: REPO_ROOT,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
})
  .split('\0')
  .filter((f) => /\.(?:ts|mts|cts|js|mjs|cjs)$/.test(f) && !f.endsWith('.d.ts') && existsSync(path.join(REPO_ROOT, f)));

/** Relative module specifiers of `import … from`, `export … from`, `import '…'`, `import('…')` and `require('…')`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** One import that breaks a rule of {@link FORBIDDEN}. */
interface Violation {
  /** The importing file, relative to the repository root. */
  file: string;
  /** 1-based line of the specifier. */
  line: number;
  /** The specifier as written, e.g. `'../test/helpers/ports'`. */
  specifier: string;
  /** The top-level folder it reaches, e.g. `test`. */
  reaches: string;
}

/**
 * The imports of `files` that reach a top-level folder their own folder must not import from.
 *
 * @param files Paths relative to the repository root, `/`-separated.
 * @param read  Returns a file's text.
 */
function violations(files: readonly string[], read: (file: string) => string): Violation[] {
  const found: Violation[] = [];
  for (const file of files) {
    const forbidden = FORBIDDEN[file.split('/')[0]!] ?? [];
    const text = read(file);
    for (const m of text.matchAll(SPECIFIER)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[2]!));
      const reaches = target.split('/')[0]!;
      if (forbidden.includes(reaches)) {
        found.push({ file, line: text.slice(0, m.index).split('\n').length, specifier: m[2]!, reaches });
      }
    }
  }
  return found;
}

describe('import rules between top-level folders', () => {
  it('bench/ imports nothing from test/; edge-agent/, functions/, shared/ and local/ nothing from test/ or testbed/; testbed/ nothing from test/ or bench/', () => {
    for (const folder of Object.keys(FORBIDDEN)) {
      assert.ok(SOURCES.some((f) => f.startsWith(`${folder}/`)), `no source file found under ${folder}/`);
    }
    const found = violations(SOURCES, (f) => readFileSync(path.join(REPO_ROOT, f), 'utf8'));
    assert.deepEqual(
      found.map((v) => `${v.file}:${v.line} imports '${v.specifier}' (${v.reaches}/)`),
      [],
      'imports across a forbidden folder boundary',
    );
  });

  it('the benchmarks still import the testbed (the parser finds their imports)', () => {
    const bench = SOURCES.filter((f) => f.startsWith('bench/'));
    const reachesTestbed = bench.some((f) =>
      [...readFileSync(path.join(REPO_ROOT, f), 'utf8').matchAll(SPECIFIER)].some((m) =>
        path.posix.normalize(path.posix.join(path.posix.dirname(f), m[2]!)).startsWith('testbed/'),
      ),
    );
    assert.ok(reachesTestbed, 'no bench/ file imports testbed/: the specifier parser lost the imports');
  });

  it('the check reports each forbidden import with its line, whatever its form, and allows the others', () => {
    const files: Record<string, string> = {
      'bench/a.ts': "import { startRtspServer } from '../testbed/rtsp-server';\nimport { freePort } from '../test/helpers/ports';",
      'bench/sub/b.ts': "const h = await import('../../test/helpers/x.js');",
      'local/c.ts': "import { toIso } from '../shared/time';\nexport { startTcpProxy } from '../testbed/tcp-proxy';",
      'shared/d/e.ts': "import '../../test/setup';",
      'edge-agent/f.ts': "const m = require('../testbed/ports');\nimport x from './test/local-file';",
      'functions/g.ts': "import { a } from '../shared/a';",
      'testbed/h.ts': "import { freePort } from './ports';\nimport { y } from '../bench/y';",
    };
    const found = violations(Object.keys(files), (f) => files[f]!).map((v) => `${v.file}:${v.line}:${v.reaches}`);
    assert.deepEqual(found, ['bench/a.ts:2:test', 'bench/sub/b.ts:1:test', 'local/c.ts:2:testbed', 'shared/d/e.ts:1:test', 'edge-agent/f.ts:1:testbed', 'testbed/h.ts:2:bench']);
  });
});
