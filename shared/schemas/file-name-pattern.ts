import { ValidationError } from '../errors';

/**
 * Variables a file sink's `fileNamePattern` may use. `${System.Runtime.DateTime}` and
 * `${System.Runtime.PreciseDateTime}` are AVA's (docs/reference/ava-behaviour.md "Names": UTC ISO 8601 basic
 * `yyyyMMddTHHmmssZ`, and with ms `yyyyMMddTHHmmss.fffZ`); Keepwatch takes them at the window's start.
 * `${cameraId}` and `${recordingId}` are Keepwatch's. AVA's topology variables (`${System.TopologyName}`,
 * `${System.PipelineName}`) belong to topology parameters (another issue) and are refused here.
 */
export const FILE_NAME_VARIABLES = ['System.Runtime.DateTime', 'System.Runtime.PreciseDateTime', 'cameraId', 'recordingId'] as const;

/** What a file name is rendered from: the window's start (epoch ms UTC), camera and recording ids. */
export interface FileNameValues {
  startMs: number;
  cameraId: string;
  recordingId: string;
}

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * Checks a file sink `fileNamePattern`: at least one variable (AVA: "must include ≥1 system variable",
 * docs/reference/ava-behaviour.md "Nodes", so each window gets its own file), only {@link FILE_NAME_VARIABLES}, no path
 * separator, no `..`, at most 200 characters.
 * @returns the list of problems (empty when valid), each naming the offending text
 */
export function fileNamePatternProblems(pattern: string): string[] {
  const problems: string[] = [];
  const used = [...pattern.matchAll(VARIABLE)].map((m) => m[1]);
  if (!used.length) problems.push(`'${pattern}' uses no variable; expected at least one of ${FILE_NAME_VARIABLES.map((v) => `\${${v}}`).join(', ')}`);
  for (const v of used) if (!(FILE_NAME_VARIABLES as readonly string[]).includes(v)) problems.push(`unknown variable \${${v}}; expected one of ${FILE_NAME_VARIABLES.map((x) => `\${${x}}`).join(', ')}`);
  if (/[/\\]/.test(pattern) || pattern.includes('..')) problems.push(`'${pattern}' must be a file name, without '/', '\\' or '..'`);
  if (pattern.length > 200) problems.push(`'${pattern.slice(0, 20)}…' is longer than 200 characters`);
  return problems;
}

/** `yyyyMMddTHHmmssZ` (AVA's `System.Runtime.DateTime`), or with `.fff` before the Z (`PreciseDateTime`). */
function basicIso(ms: number, precise: boolean): string {
  const iso = new Date(ms).toISOString(); // 2026-11-21T10:00:03.123Z
  const basic = iso.replace(/[-:]/g, ''); // 20261121T100003.123Z
  return precise ? basic : basic.replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Renders a file sink's MP4 name: the pattern with its variables replaced, plus `.mp4` unless it
 * already ends so (AVA's sample output: `...-fileSinkOutput-20210426T181911Z.mp4`).
 * @throws ValidationError when the pattern is invalid (see {@link fileNamePatternProblems})
 */
export function renderFileName(pattern: string, values: FileNameValues): string {
  const problems = fileNamePatternProblems(pattern);
  if (problems.length) throw new ValidationError(`fileNamePattern: ${problems.join('; ')}`);
  const name = pattern.replace(VARIABLE, (_m, v: string) => {
    if (v === 'System.Runtime.DateTime') return basicIso(values.startMs, false);
    if (v === 'System.Runtime.PreciseDateTime') return basicIso(values.startMs, true);
    if (v === 'cameraId') return values.cameraId;
    return values.recordingId;
  });
  return name.toLowerCase().endsWith('.mp4') ? name : `${name}.mp4`;
}
