import path from 'node:path';

/**
 * Finds the places where a tracked file of the repository depends on something outside it: the
 * `../shared` folder beside the work tree (clips, Microsoft's topology files, notes) that a person
 * cloning the repository does not have, and the steering documents kept there. Everything the tests,
 * benchmarks and docs need lives in the repository: clips in `test/fixtures/media/`, topology files in
 * `test/fixtures/azure-topologies/`, AVA facts in `docs/reference/ava-behaviour.md`.
 * Pure: text in, hits out; used by test/unit/repository/self-contained.test.ts.
 */

/** One reference to something outside the repository. */
export interface OutsideReference {
  /** Path relative to the repository root, `/`-separated, as `git ls-files` prints it. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** Which rule matched, e.g. `steering folder path`. */
  readonly rule: string;
  /** The matched text. */
  readonly match: string;
}

/** Documents of the steering folder, which the repository does not hold (a tracked file of the same name is allowed). */
export const STEERING_DOCUMENTS: readonly string[] = ['DESIGN.md', 'STYLE.md', 'azure-stack-notes.md', 'nvr-anchors.md', 'azure-lva-ava.md'];

/** Rules that need no path resolution: each regex is global and matched line by line. */
const FIXED_RULES: readonly { rule: string; re: RegExp }[] = [
  // `../shared/media`, `../../shared/reference/…`: the steering folder's own sub-folders and documents.
  { rule: 'steering folder path', re: /(?:\.\.\/)+shared\/(?:media|reference|hooks|DESIGN\.md|STYLE\.md)\b/g },
  // path.resolve(root, '..', 'shared', 'media'), path.resolve(MEDIA_DIR, '..', 'reference', 'azure-topologies'): the
  // same paths built from segments.
  { rule: 'steering folder path segments', re: /['"`]shared['"`]\s*,\s*['"`](?:media|reference|hooks)['"`]|['"`]reference['"`]\s*,\s*['"`]azure-topologies['"`]/g },
  // The folder's absolute location on the machine the repository was written on.
  { rule: 'absolute steering folder path', re: /\/work\/shared\b/g },
  // `reference/azure-topologies/README.md`, `reference/azure-lva-ava.md`: paths inside the steering folder
  // (docs/reference/… is the repository's own folder).
  { rule: 'steering reference path', re: /(?<![\w.-]\/)(?<![\w-])reference\/(?:azure-topologies|azure-lva-ava|azure-stack-notes|nvr-anchors)\b/g },
  // `issue 13 finding 7`, `Issue #12`: the project's tracker, which a reader of the repository does not have (write
  // what is meant, or point at docs/). A GitHub issue of another project is cited by its URL, which this leaves alone.
  { rule: 'tracker issue', re: /(?<![\w/#-])issues? #?\d+\b/gi },
];

/** `../shared` (any depth) not followed by a path inside it: the folder itself, e.g. "the steering folder `../shared`". */
const BARE_SHARED = /(?:\.\.\/)+shared(?![\w/.-])/g;

/** `../shared/…` (any depth): a relative path that may leave the repository, resolved against the file's folder. */
const RELATIVE_SHARED = /(?:\.\.\/)+shared\/[\w./-]*/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Every reference to outside the repository in one tracked text file.
 * @param file path relative to the repository root, `/`-separated (relative paths in it resolve against its folder)
 * @param text the file's content
 * @param trackedBasenames base names of every tracked file: a steering document name that is also a tracked file's
 *   name refers to that file and is not reported
 * @returns hits in line order, then rule order (a text several rules match: once, by the first); empty when the file is self-contained
 */
export function findOutsideReferences(file: string, text: string, trackedBasenames: ReadonlySet<string>): OutsideReference[] {
  const documents = STEERING_DOCUMENTS.filter((name) => !trackedBasenames.has(name));
  // `azure-lva-ava.md §2`, `azure-lva-ava §2`, `DESIGN.md "Contracts"`: the name, with or without its extension for the notes.
  const documentRe = documents.length
    ? new RegExp(
        `(?<![\\w-])(?:${documents
          .map((name) => (/^[A-Z]+\.md$/.test(name) ? escapeRegExp(name) : `${escapeRegExp(name.replace(/\.md$/, ''))}(?:\\.md)?`))
          .join('|')})(?![\\w-])`,
        'g',
      )
    : undefined;
  const dir = path.posix.dirname(file);
  const hits: OutsideReference[] = [];
  text.split(/\r?\n/).forEach((lineText, i) => {
    const line = i + 1;
    // Character ranges already reported on this line: a text that several rules match is reported once, by the first.
    const taken: [number, number][] = [];
    const add = (rule: string, re: RegExp, keep: (match: string) => boolean = () => true) => {
      for (const m of lineText.matchAll(re)) {
        const start = m.index ?? 0;
        const end = start + m[0].length;
        if (!keep(m[0]) || taken.some(([s, e]) => start < e && s < end)) continue;
        taken.push([start, end]);
        hits.push({ file, line, rule, match: m[0] });
      }
    };
    for (const { rule, re } of FIXED_RULES) add(rule, re);
    add('steering folder', BARE_SHARED);
    // `import … from '../shared/time'` in bench/ is the repository's own shared/: only paths that leave the work tree count.
    add('relative path out of the repository', RELATIVE_SHARED, (m) => path.posix.normalize(path.posix.join(dir, m)).startsWith('../'));
    if (documentRe) add('steering document', documentRe);
  });
  return hits;
}

/** `file:line: rule: match`, one hit a line, for an assertion message. */
export function formatOutsideReferences(hits: readonly OutsideReference[]): string {
  return hits.map((h) => `${h.file}:${h.line}: ${h.rule}: ${h.match}`).join('\n');
}
