/** One compiled route template (Functions/ASP.NET style, relative to `/api`). */
export interface CompiledRoute<T> {
  template: string;
  target: T;
  segments: Array<{ literal: string } | { param: string; optional: boolean; catchAll: boolean }>;
  literals: number;
}

/**
 * Compiles a route template such as `cameras/{cameraId}/playback`. Supported: literal segments (matched
 * case-insensitively, as ASP.NET routing does), whole-segment parameters `{name}`, optional `{name?}` and catch-all
 * `{*name}` at the end; constraints (`{id:int}`) are accepted and ignored.
 * @throws Error naming the template when a segment mixes text and a parameter (`file.{ext}`), which this host does
 *   not support
 */
export function compileRoute<T>(template: string, target: T): CompiledRoute<T> {
  const segments: CompiledRoute<T>['segments'] = [];
  for (const part of template.replace(/^\/+|\/+$/g, '').split('/')) {
    const m = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\?)?\}$/.exec(part);
    if (m) segments.push({ param: m[2], catchAll: Boolean(m[1]), optional: Boolean(m[3]) });
    else if (/[{}]/.test(part)) throw new Error(`route template '${template}': segment '${part}' mixes text and a parameter`);
    else segments.push({ literal: part.toLowerCase() });
  }
  return { template, target, segments, literals: segments.filter((s) => 'literal' in s).length };
}

/**
 * Matches a raw request path (below `/api/`, still percent-encoded) against a route. Splitting happens before
 * decoding, so `..%2Fx` stays one parameter value `../x`, as in Azure. An empty segment matches a parameter with
 * the value `''`, so handlers (not the router) answer for empty ids with a clear 400.
 * @returns the decoded parameters, or `undefined` when the path does not match
 * @throws URIError when a matching parameter is not valid percent-encoding
 */
export function matchRoute<T>(route: CompiledRoute<T>, rawPath: string): Record<string, string> | undefined {
  const parts = rawPath.split('/');
  const params: Record<string, string> = {};
  let i = 0;
  for (const seg of route.segments) {
    if ('literal' in seg) {
      if (i >= parts.length || safeDecode(parts[i])?.toLowerCase() !== seg.literal) return undefined;
      i++;
    } else if (seg.catchAll) {
      params[seg.param] = parts.slice(i).map(decodeURIComponent).join('/');
      i = parts.length;
    } else if (i < parts.length) {
      params[seg.param] = decodeURIComponent(parts[i]);
      i++;
    } else if (!seg.optional) {
      return undefined;
    }
  }
  return i === parts.length ? params : undefined;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Routes sorted so the most specific (most literal segments) is tried first. */
export function byPrecedence<T>(routes: CompiledRoute<T>[]): CompiledRoute<T>[] {
  return [...routes].sort((a, b) => b.literals - a.literals || b.segments.length - a.segments.length);
}
