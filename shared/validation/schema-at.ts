import type { z } from 'zod';

/** The parts of a zod 4 schema definition this module reads (zod's `_zod.def`). */
interface SchemaDef {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  getter?: () => z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: readonly z.core.$ZodType[];
}

const def = (schema: z.core.$ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** Wrappers that hold one schema and add nothing to its shape. */
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'nonoptional', 'readonly', 'catch', 'success']);

/**
 * A schema without its wrappers (optional, default, nullable, pipe's input, lazy), its unions spread into their
 * options (each unwrapped too): what a value at this place may be.
 */
export function unwrapSchema(schema: z.core.$ZodType): z.core.$ZodType[] {
  const d = def(schema);
  if (WRAPPERS.has(d.type) && d.innerType) return unwrapSchema(d.innerType);
  if (d.type === 'pipe' && d.in) return unwrapSchema(d.in);
  if (d.type === 'lazy' && d.getter) return unwrapSchema(d.getter());
  if (d.type === 'union' && d.options) return d.options.flatMap(unwrapSchema);
  return [schema];
}

/**
 * The schemas that may describe the value at `path` inside a document that `root` describes: several when a union is
 * on the way, none when the path leaves the schema. For messages only (closest known key, allowed range).
 * @param path a zod issue path, e.g. `['cameras', 0, 'rtspTransport']`
 */
export function schemasAt(root: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType[] {
  let here = unwrapSchema(root);
  for (const step of path) {
    here = here.flatMap((s) => {
      const d = def(s);
      if (d.type === 'object' && d.shape && typeof step === 'string' && Object.hasOwn(d.shape, step)) return unwrapSchema(d.shape[step]);
      if (d.type === 'array' && d.element && typeof step === 'number') return unwrapSchema(d.element);
      if (d.type === 'record' && d.valueType) return unwrapSchema(d.valueType);
      return [];
    });
  }
  return here;
}

/** The keys the object schemas at `path` know (the union of every option's keys), in schema order. */
export function knownKeysAt(root: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const keys = schemasAt(root, path).flatMap((s) => {
    const d = def(s);
    return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
  });
  return [...new Set(keys)];
}

/** The bounds a number or string schema sets (`minValue`/`maxValue`, `minLength`/`maxLength` of zod's classic API). */
export function boundsOf(schema: z.core.$ZodType): { min?: number; max?: number } {
  const s = schema as unknown as { minValue?: number | null; maxValue?: number | null; minLength?: number | null; maxLength?: number | null };
  const t = def(schema).type;
  const finite = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
  if (t === 'number') return { min: finite(s.minValue), max: finite(s.maxValue) };
  if (t === 'string') return { min: finite(s.minLength), max: finite(s.maxLength) };
  return {};
}
