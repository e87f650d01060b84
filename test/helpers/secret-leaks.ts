import type { StackSecret } from '../../local/stack';

/** The forms a secret may take in a log line: as is, URL-encoded, URL-decoded, JSON-escaped. */
function forms(value: string): string[] {
  const out = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  try {
    out.add(decodeURIComponent(value));
  } catch {
    // not URL-encoded
  }
  return [...out].filter((f) => f.length >= 8); // shorter strings would match by chance
}

/**
 * Finds secrets in log lines.
 * @returns one description per (secret, line) hit, the secret replaced by `<its name>` so the report itself leaks nothing
 */
export function findSecretLeaks(lines: readonly string[], secrets: readonly StackSecret[]): string[] {
  const leaks: string[] = [];
  for (const s of secrets) {
    const variants = forms(s.value);
    lines.forEach((line, i) => {
      const hit = variants.find((v) => line.includes(v));
      if (hit !== undefined) leaks.push(`${s.name} in log line ${i}: ${line.split(hit).join(`<${s.name}>`).slice(0, 400)}`);
    });
  }
  return leaks;
}

/**
 * The signatures and tokens of URLs the run handed out (playback URLs, segment SAS URLs in playlists): the values of
 * `sig` (SAS and playback-token signatures), `token` and `code` query parameters, as secrets named by their URL path.
 * @param texts bodies or URLs; every `http(s)://` URL in them is read
 */
export function urlSecrets(texts: readonly string[]): StackSecret[] {
  const found = new Map<string, StackSecret>();
  for (const text of texts) {
    for (const m of text.matchAll(/https?:\/\/[^\s"'<>]+/g)) {
      let url: URL;
      try {
        url = new URL(m[0]);
      } catch {
        continue;
      }
      for (const key of ['sig', 'token', 'code']) {
        const value = url.searchParams.get(key);
        if (value && !found.has(value)) found.set(value, { name: `${key}= of ${url.pathname.slice(0, 80)}`, value });
      }
    }
  }
  return [...found.values()];
}
