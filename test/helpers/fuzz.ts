import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { KeepwatchError, ValidationError } from '../../shared/errors';

/** Cases per property in `npm test` (the whole fuzz set stays well under 60 s on the 2-core CI machine). */
export const DEFAULT_FUZZ_RUNS = 60;

/**
 * Cases per property: `KEEPWATCH_FUZZ_RUNS` (a positive integer; `npm run fuzz` sets it), else
 * {@link DEFAULT_FUZZ_RUNS}. `weight` scales it for properties whose cases are much cheaper or dearer than the rest.
 * @throws Error when the variable is set but is not a positive integer
 */
export function fuzzRuns(weight = 1): number {
  const raw = process.env.KEEPWATCH_FUZZ_RUNS;
  if (raw !== undefined && !/^[1-9]\d{0,7}$/.test(raw)) throw new Error(`KEEPWATCH_FUZZ_RUNS=${raw} is not a positive integer`);
  return Math.max(1, Math.round((raw ? Number(raw) : DEFAULT_FUZZ_RUNS) * weight));
}

/**
 * Runs a fast-check property with {@link fuzzRuns} cases and, when `KEEPWATCH_FUZZ_TALLY` names a file, appends
 * `{name}\t{cases}` to it (scripts/fuzz.mjs sums the lines). `KEEPWATCH_FUZZ_SEED` replays one seed; on failure
 * fast-check's error names the seed, the path and the shrunk counterexample, so a failure reproduces.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(name: string, property: fc.IRawProperty<Ts>, weight = 1): Promise<void> {
  const numRuns = fuzzRuns(weight);
  const seed = process.env.KEEPWATCH_FUZZ_SEED ? Number(process.env.KEEPWATCH_FUZZ_SEED) : undefined;
  await fc.assert(property, { numRuns, ...(seed !== undefined ? { seed } : {}) });
  if (process.env.KEEPWATCH_FUZZ_TALLY) appendFileSync(process.env.KEEPWATCH_FUZZ_TALLY, `${name}\t${numRuns}\n`);
}

/**
 * Calls `parse` and returns `'ok'` when it returns, `'rejected'` when it throws a ValidationError with a message;
 * rethrows anything else (that is the bug a fuzzer looks for), with the input in the message.
 */
export function onlyValidationErrors(parse: () => unknown, input: unknown): 'ok' | 'rejected' {
  try {
    parse();
    return 'ok';
  } catch (err) {
    if (err instanceof ValidationError && err.message.length > 0 && err.code.length > 0) return 'rejected';
    const shown = (() => {
      try {
        return JSON.stringify(input)?.slice(0, 300);
      } catch {
        return String(input);
      }
    })();
    const kind = err instanceof KeepwatchError ? `${err.name} ${err.code}` : err instanceof Error ? err.name : typeof err;
    throw new Error(`threw ${kind} (${err instanceof Error ? err.message : String(err)}) for ${shown}`, { cause: err });
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (array of keys/indexes) into a JSON document, the root included. */
function paths(doc: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out = [prefix];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** Values that tend to break parsers: wrong types, edges of numbers and strings, prototype keys. */
const nasty: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  null, true, false, 0, -1, 1e308, -1e308, 2 ** 53, 0.5, '', ' ', '0', 'null', 'undefined', '__proto__', 'constructor',
  'P0D', 'PT0S', 'P99999999999D', 'PT-1S', 'P1Y', '2026-02-30T00:00:00Z', '2026-11-21T10:00:00', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00Z',
  '../x', "a'b", 'x'.repeat(10_000), '\u0000', '\ud800', [], {}, [[]], { __proto__: { polluted: true } } as unknown as Json,
);

/** A value to put somewhere: random JSON or a nasty one. */
const anyValue: fc.Arbitrary<Json> = fc.oneof(nasty, fc.jsonValue() as fc.Arbitrary<Json>);

/**
 * Mutations of a valid document: at a random path, delete the key (or element), replace the value, add a key
 * (sometimes `__proto__` or `constructor`), or wrap the value in an array. Up to three mutations stack.
 */
export function mutated(valid: Json): fc.Arbitrary<Json> {
  const all = paths(valid);
  const one = fc.tuple(fc.nat(all.length - 1), fc.constantFrom('delete', 'replace', 'add', 'wrap'), anyValue, fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype')));
  return fc.array(one, { minLength: 1, maxLength: 3 }).map((ops) => {
    let doc = structuredClone(valid);
    for (const [i, op, value, key] of ops) {
      const p = paths(doc)[i % paths(doc).length];
      doc = apply(doc, p, op, value, key);
    }
    return doc;
  });
}

function apply(doc: Json, path: Array<string | number>, op: string, value: Json, key: string): Json {
  if (path.length === 0) {
    if (op === 'replace' || op === 'delete') return value;
    if (op === 'wrap') return [doc];
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
      Object.defineProperty(doc, key, { value, enumerable: true, configurable: true, writable: true }); // an own `__proto__` key, as JSON.parse makes
    }
    return doc;
  }
  const parent = path.slice(0, -1).reduce<Json>((d, k) => (d as Record<string | number, Json>)[k], doc) as Record<string | number, Json> | Json[];
  const last = path[path.length - 1];
  if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete (parent as Record<string, Json>)[last];
  } else if (op === 'replace') {
    Object.defineProperty(parent, last, { value, enumerable: true, configurable: true, writable: true });
  } else if (op === 'wrap') {
    Object.defineProperty(parent, last, { value: [(parent as Record<string | number, Json>)[last]], enumerable: true, configurable: true, writable: true });
  } else {
    const target = (parent as Record<string | number, Json>)[last];
    if (target && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return doc;
}

/** Random input of any shape a parser might be handed: JSON, mutations of `valid`, or anything JavaScript has. */
export function hostileInput(valid: Json): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: mutated(valid) }, { weight: 2, arbitrary: fc.jsonValue() }, { weight: 1, arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withObjectString: true }) }, { weight: 1, arbitrary: nasty });
}

export type { Json };
