import type { z } from 'zod';
import { ValidationError } from '../errors';

/** `cameras[0].url` style path of a schema issue. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/**
 * Turns schema issues into one message that names every offending key, e.g.
 * `agent config: cameras[0].url: expected a string; unknown key 'colour' at cameras[1]`.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const at = formatPath(i.path);
      if (i.code === 'unrecognized_keys') {
        const keys = i.keys.map((k) => `'${k}'`).join(', ');
        return `unknown key${i.keys.length > 1 ? 's' : ''} ${keys}${at ? ` at ${at}` : ''}`;
      }
      return `${at || '(root)'}: ${i.message}`;
    })
    .join('; ');
}

/**
 * Parses `input` with `schema`.
 * @param what names the document in the message ("agent config", "segment.uploaded data")
 * @param code the ValidationError code (default `InvalidInput`), e.g. `InvalidCloudEvent` for dead-letter reasons
 * @throws ValidationError listing every issue with its key path
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string, code?: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new ValidationError(
      `${what}: ${formatIssues(r.error.issues)}`,
      r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
      code,
    );
  }
  return r.data;
}
