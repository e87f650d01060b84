/**
 * Edit distance between two words: insertions, deletions, substitutions and swaps of two neighbours each count 1
 * (optimal string alignment), compared case-insensitively, so `segmentLenght` is 1 from `segmentLength`.
 */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/**
 * The known name a mistyped one most likely meant, for "did you mean …?" hints: the nearest by {@link editDistance},
 * if it is at most a third of the typed word's length away (at least 1, so `url` → `uri` still counts); the first of
 * equally near names wins.
 * @param word what was typed, e.g. `segmentLenght`
 * @param known the names that exist, e.g. an object schema's keys
 * @returns e.g. `segmentLength`, or undefined when nothing is near enough (or `word` itself is known)
 */
export function closestName(word: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    if (name === word) return undefined;
    const distance = editDistance(word, name);
    if (distance <= limit && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}
