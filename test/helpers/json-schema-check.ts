import type { JsonSchema, JsonType } from '../../functions/openapi/openapi';

/**
 * A small structural JSON Schema check over the subset functions/openapi/openapi.ts uses ({@link JsonSchema}): `$ref` to
 * `#/...` inside `root`, `type` (one or a list), `properties`, `required`, `additionalProperties: false`, `items`, `enum`, `pattern`,
 * `minimum`/`maximum`, `exclusiveMinimum`/`exclusiveMaximum`, `minLength`/`maxLength`, `minItems`/`maxItems`,
 * `propertyNames`, and `format` `date-time` (RFC 3339 with a zone), `duration` (ISO 8601), `uri` (absolute);
 * `description`, `examples` and `default` are annotations. Anything else in a schema is an error, so the subset
 * cannot grow unnoticed.
 * (No JSON Schema validator is a declared dependency; ajv 8 would do this fully if the lead adds it.)
 * @param root the document `$ref`s point into (the OpenAPI document)
 * @returns one message per violation, each with its JSON path (`$.cameras[0].id`); empty when `value` conforms
 */
export function checkJsonSchema(value: unknown, schema: JsonSchema, root: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const known = new Set([
    '$ref', 'type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'format', 'pattern', 'minimum', 'maximum',
    'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'propertyNames', 'examples', 'default',
  ]);
  for (const key of Object.keys(schema)) if (!known.has(key)) errors.push(`${path}: schema keyword '${key}' is outside the checked subset`);
  if (schema.$ref) return [...errors, ...checkJsonSchema(value, resolveRef(root, schema.$ref), root, path)];

  const types: readonly JsonType[] | undefined = typeof schema.type === 'string' ? [schema.type] : schema.type;
  if (types && !types.some((t) => hasType(value, t))) return [...errors, `${path}: expected ${types.join(' or ')}, got ${JSON.stringify(value)?.slice(0, 80)}`];
  if (schema.enum && !schema.enum.includes(value as string | number)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${path}: ${JSON.stringify(value.slice(0, 80))} does not match /${schema.pattern}/`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.format && !formatOk(schema.format, value)) errors.push(`${path}: ${JSON.stringify(value.slice(0, 80))} is not a ${schema.format}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} < minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: ${value} > maximum ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) errors.push(`${path}: ${value} ≤ exclusiveMinimum ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) errors.push(`${path}: ${value} ≥ exclusiveMaximum ${schema.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => errors.push(...checkJsonSchema(v, schema.items!, root, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    for (const name of schema.required ?? []) if (!(name in value)) errors.push(`${path}: required property '${name}' is missing`);
    if (schema.propertyNames) for (const name of Object.keys(value)) errors.push(...checkJsonSchema(name, schema.propertyNames, root, `${path}{${name}}`));
    for (const [name, v] of Object.entries(value)) {
      const sub = schema.properties?.[name];
      if (sub) errors.push(...checkJsonSchema(v, sub, root, `${path}.${name}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: property '${name}' is not allowed`);
    }
  }
  return errors;
}

/**
 * Resolves a local JSON pointer `#/a/b` inside `root`.
 * @throws Error naming the reference when it points nowhere or is not local
 */
export function resolveRef<T = JsonSchema>(root: unknown, ref: string): T {
  if (!ref.startsWith('#/')) throw new Error(`$ref ${ref} is not a local reference`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (!isObject(node) || !(part in node)) throw new Error(`$ref ${ref} points nowhere`);
    node = node[part];
  }
  return node as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasType(v: unknown, type: JsonType): boolean {
  switch (type) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'null':
      return v === null;
    default:
      return typeof v === type;
  }
}

function formatOk(format: NonNullable<JsonSchema['format']>, v: string): boolean {
  switch (format) {
    case 'date-time':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));
    case 'duration':
      return /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(v);
    case 'uri':
      return URL.canParse(v);
  }
}
