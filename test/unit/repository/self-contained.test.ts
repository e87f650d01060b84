import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findOutsideReferences, formatOutsideReferences } from '../../helpers/outside-references';
import { MEDIA_DIR, mediaPath } from '../../../testbed/rtsp-server';
import { TOPOLOGIES_DIR } from '../../helpers/topologies';

/**
 * The repository runs its own tests anywhere: a clone holds every clip, topology file and document its code, tests,
 * benchmarks and docs refer to. Nothing may point at the `../shared` folder beside the work tree (where the clips and
 * Microsoft's topology files used to be read in place) or at the steering documents kept there.
 */

/** The work tree this test was built from (`dist/test/unit/repository/` lies inside it). */
const REPO_ROOT = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: __dirname, encoding: 'utf8' }).trim();

/** Tracked files, `/`-separated, relative to {@link REPO_ROOT}. */
const TRACKED: string[] = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  .split('\0')
  .filter((f) => f !== '' && existsSync(path.join(REPO_ROOT, f)));

/** The rule's own definition and its test spell out what they look for. */
const RULE_FILES = new Set(['test/helpers/outside-references.ts', 'test/unit/repository/self-contained.test.ts']);

/** The text of a tracked file, or undefined for a binary one (a NUL byte in its first 8000 bytes, as git decides). */
function trackedText(file: string): string | undefined {
  const bytes = readFileSync(path.join(REPO_ROOT, file));
  return bytes.subarray(0, 8000).includes(0) ? undefined : bytes.toString('utf8');
}

describe('repository is self-contained (no path outside the work tree)', () => {
  it('no tracked file refers to the ../shared folder beside the repository or to its steering documents', () => {
    const basenames = new Set(TRACKED.map((f) => path.posix.basename(f)));
    const hits = TRACKED.filter((f) => !RULE_FILES.has(f)).flatMap((f) => {
      const text = trackedText(f);
      return text === undefined ? [] : findOutsideReferences(f, text, basenames);
    });
    assert.equal(hits.length, 0, `${hits.length} reference(s) to outside the repository:\n${formatOutsideReferences(hits)}`);
  });

  it('mediaPath() reads test/fixtures/media, and every clip a test or helper names is there and credited in its README', () => {
    const fixtures = path.join(REPO_ROOT, 'test', 'fixtures', 'media');
    assert.equal(MEDIA_DIR, fixtures);
    const readme = readFileSync(path.join(fixtures, 'README.md'), 'utf8');
    // mediaPath('car-detection.mp4'), path.join(MEDIA, 'bottle-detection.mp4'), path.resolve(MEDIA_DIR, `x.mp4`).
    const named = new Set<string>();
    for (const f of TRACKED.filter((t) => t.endsWith('.ts') && !RULE_FILES.has(t))) {
      const text = readFileSync(path.join(REPO_ROOT, f), 'utf8');
      for (const m of text.matchAll(/\b(?:mediaPath\(\s*|MEDIA(?:_DIR)?\s*,\s*)(['"`])([^'"`$]+)\1/g)) named.add(m[2]!);
    }
    const inFolder = readdirSync(fixtures).filter((f) => f !== 'README.md');
    assert.ok(named.size >= 3, `only ${[...named].join(', ')} found by name in the tests`);
    for (const clip of new Set([...named, ...inFolder])) {
      assert.ok(existsSync(path.join(fixtures, clip)), `clip '${clip}' is named in the tests but not in test/fixtures/media`);
      assert.equal(mediaPath(clip), path.join(fixtures, clip));
      assert.ok(readme.includes(`\`${clip}\``), `clip '${clip}': test/fixtures/media/README.md gives no source and licence for it`);
    }
    assert.match(readme, /CC BY 4\.0/);
  });

  it("Microsoft's topology files are read from test/fixtures/azure-topologies, with their MIT licence notices", () => {
    const fixtures = path.join(REPO_ROOT, 'test', 'fixtures', 'azure-topologies');
    assert.equal(TOPOLOGIES_DIR, fixtures);
    const dirs = readdirSync(fixtures, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.equal(dirs.length, 56);
    const readme = readFileSync(path.join(fixtures, 'README.md'), 'utf8');
    for (const dir of dirs) {
      assert.ok(existsSync(path.join(fixtures, dir, 'topology.json')), `${dir}/topology.json is missing`);
      assert.ok(readme.includes(`\`${dir}\``), `${dir}: the README gives no upstream source for it`);
    }
    for (const licence of ['LICENSE-Azure-live-video-analytics.txt', 'LICENSE-Azure-video-analyzer.txt']) {
      assert.match(readFileSync(path.join(fixtures, licence), 'utf8'), /MIT License[\s\S]*Copyright \(c\) Microsoft Corporation/);
    }
  });
});

describe('findOutsideReferences (test/helpers/outside-references.ts)', () => {
  const none = new Set<string>();
  const rules = (file: string, text: string, basenames = none) => findOutsideReferences(file, text, basenames).map((h) => `${h.line}:${h.rule}:${h.match}`);

  it('reports the steering folder however the path is written, with its line', () => {
    assert.deepEqual(rules('README.md', 'intro\nclips in `../shared/media` as cameras'), ['2:steering folder path:../shared/media']);
    assert.deepEqual(rules('test/helpers/x.ts', "const M = path.resolve(ROOT, '..', 'shared', 'media');"), ["1:steering folder path segments:'shared', 'media'"]);
    assert.deepEqual(rules('bench/run.ts', "path.resolve(__dirname, '..', '..', '..', 'shared', 'reference', 'a')"), ["1:steering folder path segments:'shared', 'reference'"]);
    assert.deepEqual(rules('test/unit/x.test.ts', "const T = path.resolve(MEDIA_DIR, '..', 'reference', 'azure-topologies');"), ["1:steering folder path segments:'reference', 'azure-topologies'"]);
    assert.deepEqual(rules('test/x.test.ts', "from '/work/shared/media/car-detection.mp4'"), ['1:absolute steering folder path:/work/shared']);
    assert.deepEqual(rules('docs/a.md', 'The steering folder `../shared` is not the project\'s `shared/`.'), ['1:steering folder:../shared']);
    assert.deepEqual(rules('shared/x.ts', ' * (reference/azure-topologies/README.md)'), ['1:steering reference path:reference/azure-topologies']);
    // From test/helpers/, ../../../shared leaves the work tree whatever follows.
    assert.deepEqual(rules('test/helpers/x.ts', "import a from '../../../shared/time';"), ['1:relative path out of the repository:../../../shared/time']);
  });

  it('reports the steering documents by name, with or without .md for the notes, unless the repository tracks a file of that name', () => {
    assert.deepEqual(rules('shared/a.ts', ' * Source: AVA signal gate, azure-lva-ava.md §2'), ['1:steering document:azure-lva-ava.md']);
    assert.deepEqual(rules('shared/a.ts', '// (azure-stack-notes §3) and nvr-anchors.md'), ['1:steering document:azure-stack-notes', '1:steering document:nvr-anchors.md']);
    assert.deepEqual(rules('docs/a.md', 'as DESIGN.md "Contracts" and STYLE.md say'), ['1:steering document:DESIGN.md', '1:steering document:STYLE.md']);
    assert.deepEqual(rules('docs/a.md', 'see DESIGN.md', new Set(['DESIGN.md'])), []);
  });

  it('reports references to the project tracker ("issue 13 finding 7", "Issue #12"), not an issue URL of another project', () => {
    assert.deepEqual(rules('edge-agent/a.ts', '// fsync first (issue 13 finding 7); see Issue #12 and issues 4'), ['1:tracker issue:issue 13', '1:tracker issue:Issue #12', '1:tracker issue:issues 4']);
    assert.deepEqual(rules('docs/a.md', 'as https://github.com/FFmpeg/FFmpeg/issues/1234 and tissue 5 say'), []);
  });

  it("leaves the repository's own shared/ and docs/reference/ alone", () => {
    assert.deepEqual(rules('bench/playlist-latency.ts', "import { toIso } from '../shared/time';"), []);
    assert.deepEqual(rules('edge-agent/config/x.ts', "import { ValidationError } from '../../shared/errors';"), []);
    assert.deepEqual(rules('shared/a.ts', ' * Source: docs/reference/ava-behaviour.md "Signal gate"; test/fixtures/azure-topologies/README.md'), []);
    assert.deepEqual(rules('docs/a.md', 'DESIGNS.md, my-azure-lva-avatar and shared/media-types.ts'), []);
  });
});
