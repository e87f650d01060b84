import { z } from 'zod';
import { ValidationError } from '../errors';
import { parseWith } from '../validation/format-issues';
import { assertEntityName, type ParameterDeclaration } from './pipeline-lifecycle';

/**
 * Request bodies of the pipeline routes, in AVA's shapes (the direct-method payloads and the sample files):
 * `{ "@apiVersion"?, name?, properties: {...} }`; `@apiVersion` is accepted and ignored, `systemData` (as GET returns
 * it) is ignored, any other top-level key is refused. Source: docs/reference/ava-behaviour.md "Pipelines" (document,
 * parameters, direct methods table).
 */

/**
 * Most characters a stored JSON text (a topology document, a pipeline's parameters) may have: an Azure Table string
 * property holds at most 64 KiB of UTF-16, i.e. 32,768 characters (learn.microsoft.com/rest/api/storageservices/
 * understanding-the-table-service-data-model, "Property types"); a little kept for the escaping Table adds nothing to.
 */
export const STORED_JSON_MAX_CHARS = 32_000;

/** @throws ValidationError `InvalidResource` when `value` as stored JSON exceeds {@link STORED_JSON_MAX_CHARS} */
function assertStorable(what: string, value: unknown): void {
  const chars = JSON.stringify(value).length;
  if (chars > STORED_JSON_MAX_CHARS) {
    throw new ValidationError(`${what} is ${chars} characters as JSON; at most ${STORED_JSON_MAX_CHARS} can be stored (Azure Table property limit, 64 KiB)`, undefined, 'InvalidResource');
  }
}

const parameterDeclarationSchema = z.looseObject({
  name: z.string().min(1).max(64),
  type: z.string().regex(/^(string|secretString|int|double|bool)$/i, 'expected String, SecretString, Int, Double or Bool'),
  description: z.string().max(1024).optional(),
  default: z.string().max(4096).optional(),
});

/** The `PUT .../pipelineTopologies/{name}` body as sent (the OpenAPI component `PipelineTopologyRequest`). */
export const topologyBodySchema = z.strictObject({
  '@apiVersion': z.string().optional(),
  name: z.string().optional(),
  systemData: z.unknown().optional(),
  properties: z.looseObject({
    description: z.string().max(1024).optional(),
    parameters: z.array(parameterDeclarationSchema).max(100).optional(),
    sources: z.array(z.looseObject({ '@type': z.string(), name: z.string() })).min(1),
    processors: z.array(z.looseObject({ '@type': z.string(), name: z.string() })).optional(),
    sinks: z.array(z.looseObject({ '@type': z.string(), name: z.string() })).min(1),
  }),
});

/** A parsed `PUT .../pipelineTopologies/{name}` body. */
export interface TopologyBody {
  /** `{ name, properties }` to store, `properties` exactly as sent. */
  document: { name: string; properties: Record<string, unknown> };
  parameters: ParameterDeclaration[];
}

/**
 * Parses a topology body for the topology `name` of the route.
 * @throws ValidationError `InvalidName` (route name), `InvalidResource` naming each bad key, when `name` in the body
 *   differs from the route's, or when the document is too large to store ({@link STORED_JSON_MAX_CHARS})
 */
export function parseTopologyBody(name: string, body: unknown): TopologyBody {
  assertEntityName('pipeline topology', name);
  const parsed = parseWith(topologyBodySchema, body, 'pipeline topology', 'InvalidResource');
  if (parsed.name !== undefined && parsed.name !== name) {
    throw new ValidationError(`pipeline topology body names ${JSON.stringify(parsed.name)} but the route names '${name}'`, undefined, 'InvalidResource');
  }
  const names = new Set<string>();
  for (const d of parsed.properties.parameters ?? []) {
    if (names.has(d.name.toLowerCase())) throw new ValidationError(`pipeline topology '${name}' declares parameter '${d.name}' twice`, undefined, 'InvalidResource');
    names.add(d.name.toLowerCase());
  }
  const document = { name, properties: (body as { properties: Record<string, unknown> }).properties };
  assertStorable(`pipeline topology '${name}'`, document);
  return {
    document,
    parameters: (parsed.properties.parameters ?? []).map((d) => ({ name: d.name, type: d.type, ...(d.default !== undefined ? { default: d.default } : {}) })),
  };
}

/** The `PUT .../livePipelines/{name}` body as sent (the OpenAPI component `LivePipelineRequest`). */
export const pipelineBodySchema = z.strictObject({
  '@apiVersion': z.string().optional(),
  name: z.string().optional(),
  systemData: z.unknown().optional(),
  properties: z.strictObject({
    topologyName: z.string(),
    description: z.string().max(1024).optional(),
    parameters: z.array(z.strictObject({ name: z.string().min(1).max(64), value: z.string().max(4096) })).max(100).optional(),
    // GET returns the state; a client that PUTs back what it read may send it. It is not settable.
    state: z.string().optional(),
  }),
});

/** A parsed `PUT .../livePipelines/{name}` body. */
export interface PipelineBody {
  name: string;
  topologyName: string;
  description?: string;
  /** Parameter values by name (AVA `parameters: [{name, value}]` flattened). */
  parameters: Record<string, string>;
}

/**
 * Parses a live pipeline body for the pipeline `name` of the route.
 * @throws ValidationError `InvalidName`, `InvalidResource` (bad keys, a parameter given twice, body name ≠ route name,
 *   parameters too large to store: {@link STORED_JSON_MAX_CHARS})
 */
export function parsePipelineBody(name: string, body: unknown): PipelineBody {
  assertEntityName('live pipeline', name);
  const parsed = parseWith(pipelineBodySchema, body, 'live pipeline', 'InvalidResource');
  if (parsed.name !== undefined && parsed.name !== name) {
    throw new ValidationError(`live pipeline body names ${JSON.stringify(parsed.name)} but the route names '${name}'`, undefined, 'InvalidResource');
  }
  const topologyName = assertEntityName('pipeline topology', parsed.properties.topologyName);
  const parameters: Record<string, string> = {};
  for (const p of parsed.properties.parameters ?? []) {
    if (Object.keys(parameters).some((k) => k.toLowerCase() === p.name.toLowerCase())) {
      throw new ValidationError(`live pipeline '${name}' sets parameter '${p.name}' twice`, undefined, 'InvalidResource');
    }
    parameters[p.name] = p.value;
  }
  assertStorable(`the parameters of live pipeline '${name}'`, parameters);
  return { name, topologyName, ...(parsed.properties.description !== undefined ? { description: parsed.properties.description } : {}), parameters };
}
