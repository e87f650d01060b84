import type { z } from 'zod';
import { closestName } from '../closest-name';
import { ValidationError } from '../errors';
import { boundsOf, knownKeysAt, schemasAt } from './schema-at';

/**
 * The message {@link parseWith}'s per-parse error map gives every issue whose schema sets no message of its own (zod
 * uses a schema's message first, then the per-parse map): {@link issueLines} words those issues itself, in our voice,
 * with the bad value and the allowed range, instead of zod's "Invalid input: expected string, received number".
 */
const LIBRARY_DEFAULT = '\u0000zod-default';

/** A zod issue as this module reads it (zod 4's `$ZodIssue` union, loosely). */
interface Issue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  input?: unknown;
  expected?: string;
  format?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: readonly unknown[];
  keys?: readonly string[];
  pattern?: string;
  prefix?: string;
  suffix?: string;
  includes?: string;
  divisor?: number | bigint;
  errors?: readonly (readonly Issue[])[];
}

/** One problem of a document: where, and what is wrong there. */
export interface IssueLine {
  /** `cameras[0].url` style key path; empty for the document itself. */
  path: string;
  /** What is wrong, e.g. `"10s" is not an ISO 8601 duration …`; for unknown keys the whole line. */
  message: string;
  /** The line people read: `segmentLength: …`, `unknown key 'segmentLenght' (did you mean segmentLength?)`. */
  line: string;
}

/** `cameras[0].url` style path of a schema issue. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/** Keys whose values are never echoed in a message: a mistyped secret is still a secret (docs/security.md). */
const SECRET_KEY = /pass(word)?|secret|token|apikey|connectionstring|credential|sas/i;

/** Whether the value at a key path is a secret's, never to be echoed in a message. */
export type IsSecret = (path: readonly PropertyKey[]) => boolean;

/** How a document's problems are worded, beyond the defaults. */
export interface VoiceOptions {
  /**
   * Which values are secrets; default: those whose nearest key name looks like one (`password`, `secret`, `token`,
   * `apiKey`, `connectionString`, `credential`, `sas`). Documents whose key names do not follow that convention (the
   * cloud's app settings: `KEEPWATCH_STORAGE_CONNECTION_STRING`, `KEEPWATCH_SEGMENT_SAS_TTL`) name their secrets here.
   */
  isSecret?: IsSecret;
}

/** The default {@link IsSecret}: the nearest key name says so. */
function isSecretKey(path: readonly PropertyKey[]): boolean {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  return typeof last === 'string' && SECRET_KEY.test(last);
}

/** A value as a message shows it: strings quoted (at most 60 characters), lists and objects by kind. */
function show(value: unknown, path: readonly PropertyKey[], isSecret: IsSecret): string {
  if (isSecret(path)) return 'the value (not shown: a secret)';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? `a list of ${value.length}` : 'an empty list';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** What a zod type name means in a message. */
function expectedText(expected: string | undefined): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    bigint: 'a whole number',
    boolean: 'true or false',
    object: 'an object (key: value pairs)',
    array: 'a list',
    date: 'a date',
    null: 'null',
    undefined: 'nothing',
    nan: 'NaN',
  };
  return (expected && names[expected]) ?? `a ${expected ?? 'different value'}`;
}

/** An allowed range as `1..16777216`, `at least 1`, `at most 32`; undefined when neither bound is known. */
function rangeText(min: number | undefined, max: number | undefined, unit = ''): string | undefined {
  if (min !== undefined && max !== undefined) return unit ? `${min} to ${max}${unit}` : `${min}..${max}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  if (max !== undefined) return `at most ${max}${unit}`;
  return undefined;
}

/** The bounds of the schema at the issue's place, when the document's schema is known. */
function boundsAt(root: z.core.$ZodType | undefined, path: readonly PropertyKey[]): { min?: number; max?: number } {
  if (!root) return {};
  for (const s of schemasAt(root, path)) {
    const b = boundsOf(s);
    if (b.min !== undefined || b.max !== undefined) return b;
  }
  return {};
}

/** `too_small` / `too_big` in our voice: the value, then the allowed range. */
function sizeMessage(i: Issue, root: z.core.$ZodType | undefined, path: readonly PropertyKey[], isSecret: IsSecret): string {
  const small = i.code === 'too_small';
  const limit = Number(small ? i.minimum : i.maximum);
  const known = boundsAt(root, path);
  const v = show(i.input, path, isSecret);
  if (i.origin === 'number' || i.origin === 'bigint') {
    const range = rangeText(known.min ?? (small ? limit : undefined), known.max ?? (small ? undefined : limit));
    if (known.min !== undefined && known.max !== undefined) return `${v} is outside ${range}`;
    if (i.inclusive === false) return `${v} must be ${small ? 'greater' : 'less'} than ${limit}`;
    return `${v} is ${small ? 'below the minimum' : 'above the maximum'} ${limit}`;
  }
  if (i.origin === 'string') {
    const length = typeof i.input === 'string' ? i.input.length : 0;
    if (small && limit === 1 && known.max === undefined) return 'must not be empty';
    return `${v} has ${length} character${length === 1 ? '' : 's'}; expected ${rangeText(known.min ?? (small ? limit : undefined), known.max ?? (small ? undefined : limit), ' characters')}`;
  }
  if (i.origin === 'array' || i.origin === 'set') {
    const n = Array.isArray(i.input) ? i.input.length : i.input instanceof Set ? i.input.size : 0;
    return `${n === 0 ? 'no items' : `${n} item${n === 1 ? '' : 's'}`}; expected ${small ? 'at least' : 'at most'} ${limit}`;
  }
  return `${v} is ${small ? 'below the minimum' : 'above the maximum'} ${limit}`;
}

/** The message of one issue zod would have worded (everything but unknown keys and unions). */
function libraryIssueMessage(i: Issue, root: z.core.$ZodType | undefined, path: readonly PropertyKey[], isSecret: IsSecret): string {
  const v = show(i.input, path, isSecret);
  switch (i.code) {
    case 'invalid_type':
      if (i.input === undefined) return `missing (expected ${expectedText(i.expected)})`;
      if (i.expected === 'int' && typeof i.input === 'number') return `${v} is not a whole number`;
      if (isSecret(path)) return `expected ${expectedText(i.expected)}, got ${Array.isArray(i.input) ? 'a list' : `a ${typeof i.input}`}`;
      return `expected ${expectedText(i.expected)}, got ${typeof i.input === 'string' ? `the string ${v}` : v}`;
    case 'too_small':
    case 'too_big':
      return sizeMessage(i, root, path, isSecret);
    case 'invalid_value': {
      const allowed = (i.values ?? []).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
      const hint = typeof i.input === 'string' ? closestName(i.input, allowed) : undefined;
      const base = allowed.length === 1 ? `${v} is not ${allowed[0]}` : `${v} is not one of ${allowed.join(', ')}`;
      return hint ? `${base} (did you mean ${hint}?)` : base;
    }
    case 'invalid_format':
      if (i.format === 'url') return `${v} is not a URL`;
      if (i.format === 'regex') return `${v} does not match the pattern ${i.pattern}`;
      if (i.format === 'starts_with') return `${v} must start with ${JSON.stringify(i.prefix)}`;
      if (i.format === 'ends_with') return `${v} must end with ${JSON.stringify(i.suffix)}`;
      if (i.format === 'includes') return `${v} must contain ${JSON.stringify(i.includes)}`;
      if (i.format === 'datetime') return `${v} is not an ISO 8601 date-time such as 2026-11-21T10:00:00.000Z`;
      return `${v} is not a valid ${i.format ?? 'value'}`;
    case 'not_multiple_of':
      return `${v} is not a multiple of ${i.divisor}`;
    case 'invalid_key':
      return `${v} has a key that is not allowed`;
    case 'invalid_element':
      return `${v} has an element that is not allowed`;
    default:
      return `${v} is not valid`;
  }
}

/**
 * A schema's own message with the bad value after it, `expected 1 to 32 characters from a-z, 0-9 and - (got "Door!")`,
 * unless the message shows it already, the value is a secret's or unknown (an issue raised without its input).
 */
function withValue(message: string, input: unknown, path: readonly PropertyKey[], isSecret: IsSecret): string {
  if (input === undefined || isSecret(path) || typeof input === 'object') return message;
  const shown = show(input, path, isSecret);
  return message.includes(String(input)) || message.includes(shown) ? message : `${message} (got ${shown})`;
}

/** What one union option wanted, when the value failed it at the union's own place: `false`, `an object`, `4`. */
function alternative(i: Issue): string | undefined {
  if (i.path.length) return undefined;
  if (i.code === 'invalid_type') return expectedText(i.expected);
  if (i.code === 'invalid_value' && i.values?.length) return i.values.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' or ');
  return undefined;
}

/** How badly a union option fits: its problem count, each unknown key counting one. */
const misfit = (branch: readonly Issue[]) => branch.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? (i.keys?.length ?? 1) : 1), 0);

/** The lines of one issue at `base` (the place of the union it came from, if any). */
function linesOf(i: Issue, root: z.core.$ZodType | undefined, base: readonly PropertyKey[], isSecret: IsSecret): IssueLine[] {
  const full = [...base, ...i.path];
  const at = formatPath(full);
  if (i.code === 'unrecognized_keys') {
    // One line per key, each with the known key it most likely meant.
    const known = root ? knownKeysAt(root, full) : [];
    return (i.keys ?? []).map((k) => {
      const hint = closestName(k, known);
      const line = `unknown key '${k}'${at ? ` at ${at}` : ''}${hint ? ` (did you mean ${hint}?)` : ''}`;
      return { path: at, message: line, line };
    });
  }
  if (i.code === 'invalid_union' && i.errors?.length && i.message === LIBRARY_DEFAULT) {
    // Options the value did not even have the shape of say what they wanted; among the others, the one that fits best
    // speaks (an `upload` with `apiUrl` is told about `deviceSecret`, not that `connectionString` is missing).
    const shaped = i.errors.filter((b) => !(b.length === 1 && alternative(b[0]) !== undefined));
    if (!shaped.length) {
      const wanted = [...new Set(i.errors.map((b) => alternative(b[0])!))];
      const message = `expected ${wanted.join(' or ')}, got ${show(i.input, full, isSecret)}`;
      return [{ path: at, message, line: at ? `${at}: ${message}` : message }];
    }
    const best = shaped.reduce((a, b) => (misfit(b) < misfit(a) ? b : a));
    return best.flatMap((x) => linesOf(x, root, full, isSecret));
  }
  const message = i.message === LIBRARY_DEFAULT ? libraryIssueMessage(i, root, full, isSecret) : withValue(i.message, i.input, full, isSecret);
  return [{ path: at, message, line: at ? `${at}: ${message}` : message }];
}

/**
 * Every problem of a document, one line each, in our voice: the key path, the bad value (never a secret's) and what
 * is allowed, e.g. `segmentLength: "10s" is not an ISO 8601 duration such as PT10S, PT5M or P7D`,
 * `localMediaCacheMaximumSizeMiB: 0 is outside 1..16777216`, `cameras[0].rtspTransport: "tpc" is not one of tcp, udp,
 * http (did you mean tcp?)`, `unknown key 'segmentLenght' (did you mean segmentLength?)`. A union's problems are those
 * of the option the value fits best.
 * @param issues from a parse with {@link parseWith}'s options (library messages marked, inputs reported); issues with
 *   messages of their own keep them
 * @param root the document's schema, for known keys and allowed ranges (optional: without it, no hints)
 * @param options which values are secrets (default: by key name)
 */
export function issueLines(issues: readonly z.core.$ZodIssue[], root?: z.core.$ZodType, options: VoiceOptions = {}): IssueLine[] {
  return (issues as readonly Issue[]).flatMap((i) => linesOf(i, root, [], options.isSecret ?? isSecretKey));
}

/**
 * Turns schema issues into one message that names every offending key, e.g.
 * `cameras[0].url: expected a string, got 5; unknown key 'colour' at cameras[1]` ({@link issueLines} joined by `; `).
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root?: z.core.$ZodType, options: VoiceOptions = {}): string {
  return issueLines(issues, root, options)
    .map((l) => l.line)
    .join('; ');
}

/**
 * Parses `input` with `schema` without throwing: the value, or every problem as {@link issueLines} words it. For a
 * document checked by several schemas whose problems are reported together ({@link problemsError}).
 */
export function tryParse<S extends z.ZodType>(schema: S, input: unknown, options: VoiceOptions = {}): { success: true; data: z.output<S> } | { success: false; lines: IssueLine[] } {
  const r = schema.safeParse(input, { error: () => LIBRARY_DEFAULT, reportInput: true });
  return r.success ? { success: true, data: r.data } : { success: false, lines: issueLines(r.error.issues, schema, options) };
}

/**
 * The error {@link parseWith} throws for `lines` (at least one): `{what}: {line}` for one, `{what}: N problems:` and
 * one indented line each for several; `details` holds them as `[{ path, message }]`.
 */
export function problemsError(what: string, lines: readonly IssueLine[], code?: string): ValidationError {
  const text = lines.length === 1 ? ` ${lines[0].line}` : ` ${lines.length} problems:${lines.map((l) => `\n  ${l.line}`).join('')}`;
  return new ValidationError(
    `${what}:${text}`,
    lines.map((l) => ({ path: l.path, message: l.message })),
    code,
  );
}

/**
 * Parses `input` with `schema`.
 * @param what names the document in the message ("agent config", "segment.uploaded data")
 * @param code the ValidationError code (default `InvalidInput`), e.g. `InvalidCloudEvent` for dead-letter reasons
 * @param options which values are secrets (default: by key name)
 * @throws ValidationError naming every issue with its key path, one per line ({@link issueLines}): `agent config:
 *   segmentLength: …` for one, `agent config: 2 problems:\n  segmentLength: …\n  unknown key …` for several;
 *   `details` holds them as `[{ path, message }]`
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string, code?: string, options: VoiceOptions = {}): z.output<S> {
  const r = tryParse(schema, input, options);
  if (!r.success) throw problemsError(what, r.lines, code);
  return r.data;
}
