import { z } from 'zod';
import type { JsonSchema } from './openapi';
import type { SchemaSpec } from './route-spec';

/** Where a named schema lives in the document. */
const COMPONENT_PREFIX = '#/components/schemas/';

type Io = 'input' | 'output';

/**
 * Turns the zod schemas of the route specs into the document's JSON Schema (2020-12) with zod 4's `z.toJSONSchema`:
 * a schema registered with an id (`.meta({ id })`, functions/openapi/components.ts) becomes a `$ref` to
 * `#/components/schemas/{id}`, any other is written in place (its named parts as `$ref`s). Request bodies are
 * converted with zod's input type (defaults optional), answers with its output type.
 *
 * Usage: {@link convert} every schema while building the document (it returns a placeholder object, filled later),
 * then {@link components} once: it fills the placeholders and returns the components the document refers to.
 */
export class ZodSchemaConverter {
  private readonly uses: Array<{ schema: z.ZodType; io: Io; placeholder: Record<string, unknown> }> = [];

  /** The schema for `spec`: itself when it is JSON Schema already, else a placeholder filled by {@link components}. */
  convert(spec: SchemaSpec, io: Io): JsonSchema {
    if (!(spec instanceof z.ZodType)) return spec;
    const placeholder: Record<string, unknown> = {};
    this.uses.push({ schema: spec, io, placeholder });
    return placeholder as JsonSchema;
  }

  /**
   * Fills every placeholder and returns `components.schemas`: each component `document` refers to (directly or through
   * another component), converted for the way it is used (input for request bodies, output for answers).
   * A component used both ways whose two forms differ is written twice: `{id}` (input) and `{id}Output`.
   * @throws Error when zod cannot represent a schema
   */
  components(document: unknown): Record<string, JsonSchema> {
    // Literal references (a parameter's schema, the error body of a shared answer; the placeholders are empty yet)
    // read the output form.
    const literal = refsIn(document);
    const generated: Record<Io, Record<string, JsonSchema>> = { input: this.generate('input'), output: this.generate('output') };
    const needed: Record<Io, Set<string>> = { input: new Set(), output: literal };
    for (const use of this.uses) for (const id of refsIn(use.placeholder)) needed[use.io].add(id);
    const inputIds = closure(needed.input, generated.input);
    const outputIds = closure(needed.output, generated.output);
    // A component whose input and output forms differ (zod defaults: optional in, present out) is written twice, its
    // output form as `{id}Output`, to which the answers refer.
    const split = new Set([...outputIds].filter((id) => inputIds.has(id) && JSON.stringify(generated.input[id]) !== JSON.stringify(generated.output[id])));
    const rename = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(rename);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o.$ref === 'string' && split.has(o.$ref.slice(COMPONENT_PREFIX.length))) o.$ref = `${o.$ref}Output`;
        else Object.values(o).forEach(rename);
      }
    };
    const out: Record<string, JsonSchema> = {};
    for (const id of inputIds) out[id] = generated.input[id];
    for (const id of outputIds) {
      rename(generated.output[id]);
      out[split.has(id) ? `${id}Output` : id] = generated.output[id];
    }
    for (const use of this.uses) if (use.io === 'output') rename(use.placeholder);
    return out;
  }

  /** Converts every registered schema and every unnamed one used `io`-wise; fills the placeholders of that io. */
  private generate(io: Io): Record<string, JsonSchema> {
    // An unnamed schema is named for the conversion only (its metadata restored after), so that its named parts
    // become references like those of the components.
    const inline = new Map<z.ZodType, string>();
    const metadata = new Map<z.ZodType, Record<string, unknown> | undefined>();
    for (const use of this.uses) {
      if (use.io !== io || z.globalRegistry.get(use.schema)?.id !== undefined || inline.has(use.schema)) continue;
      const id = `__inline_${inline.size}`;
      inline.set(use.schema, id);
      metadata.set(use.schema, z.globalRegistry.get(use.schema));
      z.globalRegistry.add(use.schema, { ...z.globalRegistry.get(use.schema), id });
    }
    let schemas: Record<string, JsonSchema>;
    try {
      const result = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', io, uri: (id) => `${COMPONENT_PREFIX}${id}`, override: caseInsensitivePattern });
      schemas = Object.fromEntries(Object.entries(result.schemas).map(([id, s]) => [id, tidy(s) as JsonSchema]));
    } finally {
      for (const [schema, meta] of metadata) {
        z.globalRegistry.remove(schema);
        if (meta !== undefined) z.globalRegistry.add(schema, meta);
      }
    }
    for (const use of this.uses) {
      if (use.io !== io) continue;
      const inlineId = inline.get(use.schema);
      Object.assign(use.placeholder, inlineId === undefined ? { $ref: `${COMPONENT_PREFIX}${z.globalRegistry.get(use.schema)!.id}` } : schemas[inlineId]);
    }
    for (const id of inline.values()) delete schemas[id];
    return schemas;
  }
}

/** The component ids `node` refers to (`$ref: '#/components/schemas/{id}'`), anywhere inside it. */
function refsIn(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const v of node) refsIn(v, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(COMPONENT_PREFIX)) out.add(v.slice(COMPONENT_PREFIX.length));
      else refsIn(v, out);
    }
  }
  return out;
}

/** `ids` and every component they refer to, transitively. */
function closure(ids: Iterable<string>, schemas: Record<string, JsonSchema>): Set<string> {
  const out = new Set<string>();
  const todo = [...ids];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (out.has(id)) continue;
    if (!schemas[id]) throw new Error(`$ref to unknown schema '${id}'`);
    out.add(id);
    todo.push(...refsIn(schemas[id]));
  }
  return out;
}

/**
 * zod's output in the document's JSON Schema subset (functions/openapi/openapi.ts {@link JsonSchema}, what
 * test/helpers/json-schema-check.ts checks): no `$schema`/`$id` per component; no `±2^53-1` bounds zod writes for
 * every integer; `anyOf: [X, {type: 'null'}]` (a nullable X with checks) as X with `type: [X.type, 'null']`; no
 * `additionalProperties: {}` or `propertyNames: {type: 'string'}` (what any object allows anyway); a tuple of one item
 * schema (`[x, y]`) as `items` with `minItems`/`maxItems` instead of `prefixItems`.
 */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!node || typeof node !== 'object') return node;
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) s[k] = k === 'examples' || k === 'enum' || k === 'default' || k === 'const' ? v : tidy(v);
  delete s.$schema;
  delete s.$id;
  if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
  if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
  if (isEmptyObject(s.additionalProperties)) delete s.additionalProperties;
  if (JSON.stringify(s.propertyNames) === '{"type":"string"}') delete s.propertyNames;
  const prefixItems = s.prefixItems as unknown[] | undefined;
  if (prefixItems && s.items === false && prefixItems.every((p) => JSON.stringify(p) === JSON.stringify(prefixItems[0]))) {
    delete s.prefixItems;
    s.items = prefixItems[0];
  }
  const anyOf = s.anyOf as Record<string, unknown>[] | undefined;
  if (anyOf?.length === 2 && JSON.stringify(anyOf[1]) === '{"type":"null"}' && typeof anyOf[0].type === 'string' && anyOf[0].$ref === undefined) {
    const { anyOf: _, ...rest } = s;
    return { ...anyOf[0], ...rest, type: [anyOf[0].type, 'null'] };
  }
  return s;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

/**
 * zod writes a regex's source as `pattern` without its flags; a case-insensitive one (`/^(string|int)$/i`, the
 * topology parameter types, which AVA writes `String`) is rewritten so that the pattern accepts what zod accepts:
 * each letter outside a character class or an escape becomes `[xX]`.
 */
function caseInsensitivePattern(ctx: { zodSchema: unknown; jsonSchema: { pattern?: string } }): void {
  if (ctx.jsonSchema.pattern === undefined) return;
  const checks = (ctx.zodSchema as { _zod: { def: { checks?: Array<{ _zod: { def: { format?: string; pattern?: RegExp } } }> } } })._zod.def.checks ?? [];
  const regexes = checks.map((c) => c._zod.def).filter((d) => d.format === 'regex' && d.pattern instanceof RegExp).map((d) => d.pattern!);
  if (regexes.length !== 1 || !regexes[0].flags.includes('i')) return;
  const regex = regexes[0];
  let out = '';
  let inClass = false;
  for (let i = 0; i < regex.source.length; i++) {
    const c = regex.source[i];
    if (c === '\\') {
      out += c + (regex.source[++i] ?? '');
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += !inClass && /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  ctx.jsonSchema.pattern = out;
}
