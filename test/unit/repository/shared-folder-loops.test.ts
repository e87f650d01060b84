import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

/**
 * The folders directly under `shared/` (contracts, validation, schemas, evr, ports, pipelines, topology, …) form
 * layers: no two of them import each other, directly or through a cycle (A imports B, B imports C, C imports A). The
 * files at `shared/`'s root (errors, time, ids, …) count as one node each, so a loop through one of them is caught too.
 */

/** The work tree this test was built from (`dist/test/unit/repository/` lies inside it). */
const REPO_ROOT = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: __dirname, encoding: 'utf8' }).trim();

/** Tracked `.ts` files under `shared/`, `/`-separated, relative to {@link REPO_ROOT}. */
const SHARED: string[] = execFileSync('git', ['ls-files', '-z', 'shared'], { cwd: REPO_ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f.endsWith('.ts') && existsSync(path.join(REPO_ROOT, f)));

/** Relative module specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** The node a `shared/` file belongs to: its folder directly under `shared/`, or the root file itself. */
function nodeOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[1]}/` : parts[1]!;
}

/** Node → the other nodes its files import, from the `shared/` files' import lines. */
function importGraph(files: readonly string[], read: (file: string) => string): Map<string, Set<string>> {
  const known = new Set(files);
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = nodeOf(file);
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const m of read(file).matchAll(SPECIFIER)) {
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[2]!)).replace(/\.js$/, '');
      const target = [`${base}.ts`, `${base}/index.ts`].find((t) => known.has(t));
      if (target !== undefined && nodeOf(target) !== from) targets.add(nodeOf(target));
    }
  }
  return graph;
}

/** The strongly connected components of more than one node (Tarjan), each sorted: every one is an import loop. */
function loops(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('shared/ folders import each other in one direction only', () => {
  it('no two folders directly under shared/ import each other, directly or through a cycle', () => {
    assert.ok(SHARED.length > 50, `only ${SHARED.length} files found under shared/`);
    const graph = importGraph(SHARED, (f) => readFileSync(path.join(REPO_ROOT, f), 'utf8'));
    assert.ok((graph.get('contracts/')?.size ?? 0) > 0, 'the import graph of shared/contracts/ is empty: the parser lost its imports');
    const found = loops(graph);
    assert.deepEqual(found, [], `import loops between shared/ folders: ${found.map((c) => c.join(' ⇄ ')).join('; ')}`);
  });

  it('the check finds a loop: two folders importing each other, and three in a cycle', () => {
    const files: Record<string, string> = {
      'shared/a/one.ts': "import { two } from '../b/two';",
      'shared/b/two.ts': "import type { one } from '../a/one';\nexport { x } from '../c/x';",
      'shared/c/x.ts': "import { y } from '../d/y';",
      'shared/d/y.ts': "import { t } from '../time';",
      'shared/time.ts': "const z = import('./e/z');",
      'shared/e/z.ts': "import { y } from '../d/y.js';",
    };
    const found = loops(importGraph(Object.keys(files), (f) => files[f]!));
    assert.deepEqual(found.map((c) => c.join(',')).sort(), ['a/,b/', 'd/,e/,time.ts']);
  });
});
