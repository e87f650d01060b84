import { ValidationError } from '../errors';

/**
 * Reads the structure of an LVA/AVA topology document (docs/reference/ava-behaviour.md "Names", "Pipelines") without
 * interpreting its nodes: dialect, name, parameter declarations and the nodes with their inputs. Quirks of Microsoft's
 * files are accepted (test/fixtures/azure-topologies/README.md): `String` vs `string` parameter types, a missing
 * `@apiVersion`, AVA cloud topologies' `Name`/`Kind`/`Properties` casing.
 */

/** LVA 1.0 (`#Microsoft.Media.MediaGraph*`, `@apiVersion` 1.0), LVA 2.0 (same types, 2.0), AVA edge (`#Microsoft.VideoAnalyzer.*`). */
export type TopologyDialect = 'lva-1.0' | 'lva-2.0' | 'ava-1.1';

/** AVA's parameter types (LVA PascalCase, AVA lower case: matched case-insensitively), normalised to lower case. */
export const PARAMETER_TYPES = ['string', 'secretstring', 'int', 'double', 'bool'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** One `parameters[]` declaration. `default` absent = the parameter is required. */
export interface ParameterDeclaration {
  name: string;
  type: ParameterType;
  default?: string;
}

/** One node of `sources`, `processors` or `sinks`. */
export interface TopologyNode {
  /** Unique in the topology. */
  name: string;
  /** The `@type` as written, e.g. `#Microsoft.Media.MediaGraphRtspSource`. */
  type: string;
  /** {@link nodeKind} of the type, e.g. `rtspsource`. */
  kind: string;
  role: 'source' | 'processor' | 'sink';
  /** `inputs[].nodeName`, in order. */
  inputs: string[];
  /** Every property of the node but `@type`, `name` and `inputs`, as written (parameters not yet substituted). */
  props: Record<string, unknown>;
}

/** A topology's structure. */
export interface ParsedTopology {
  dialect: TopologyDialect;
  name: string;
  parameters: ParameterDeclaration[];
  nodes: TopologyNode[];
  /** `live` or `batch` for an AVA cloud topology (top-level `Kind`), else undefined. */
  cloudKind?: string;
}

const LVA_PREFIX = /^#?Microsoft\.Media\.(MediaGraph)?/i;
const AVA_PREFIX = /^#?Microsoft\.VideoAnalyzer\./i;

/**
 * The dialect-free, lower-case short name of an `@type`: `#Microsoft.Media.MediaGraphIoTHubMessageSink` and
 * `#Microsoft.VideoAnalyzer.IotHubMessageSink` both give `iothubmessagesink` (docs/reference/ava-behaviour.md "Names").
 */
export function nodeKind(type: string): string {
  return type.replace(LVA_PREFIX, '').replace(AVA_PREFIX, '').toLowerCase();
}

function invalid(message: string): ValidationError {
  return new ValidationError(message, undefined, 'InvalidTopology');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The value of `key` in `obj`, matching the key case-insensitively (AVA cloud files write `Properties`, `Name`). */
export function getCi(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const k = Object.keys(obj).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : obj[k];
}

function parseParameters(list: unknown, where: string): ParameterDeclaration[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw invalid(`${where}: properties.parameters must be an array`);
  const seen = new Set<string>();
  return list.map((p, i) => {
    if (!isObject(p)) throw invalid(`${where}: parameters[${i}] must be an object`);
    const name = getCi(p, 'name');
    if (typeof name !== 'string' || !name || name.length > 64) throw invalid(`${where}: parameters[${i}].name must be a string of 1 to 64 characters`);
    if (seen.has(name)) throw invalid(`${where}: parameter '${name}' is declared twice`);
    seen.add(name);
    const type = getCi(p, 'type');
    const t = typeof type === 'string' ? type.toLowerCase() : '';
    if (!(PARAMETER_TYPES as readonly string[]).includes(t)) {
      throw invalid(`${where}: parameter '${name}' has type ${JSON.stringify(type)}; expected String, SecretString, Int, Double or Bool`);
    }
    const def = getCi(p, 'default');
    if (def !== undefined && typeof def !== 'string') throw invalid(`${where}: parameter '${name}' default must be a string`);
    return def === undefined ? { name, type: t as ParameterType } : { name, type: t as ParameterType, default: def };
  });
}

function parseNodes(props: Record<string, unknown>, where: string): TopologyNode[] {
  const nodes: TopologyNode[] = [];
  for (const [listName, role] of [['sources', 'source'], ['processors', 'processor'], ['sinks', 'sink']] as const) {
    const list = getCi(props, listName);
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw invalid(`${where}: properties.${listName} must be an array`);
    list.forEach((n, i) => {
      if (!isObject(n)) throw invalid(`${where}: ${listName}[${i}] must be an object`);
      const { '@type': type, name, inputs, ...rest } = n;
      if (typeof type !== 'string' || !type) throw invalid(`${where}: ${listName}[${i}] has no @type`);
      if (typeof name !== 'string' || !name) throw invalid(`${where}: ${listName}[${i}] (${type}) has no name`);
      let inputNames: string[] = [];
      if (inputs !== undefined) {
        if (!Array.isArray(inputs) || !inputs.every((x) => isObject(x) && typeof x.nodeName === 'string')) {
          throw invalid(`${where}: node '${name}': inputs must be an array of { nodeName }`);
        }
        inputNames = inputs.map((x) => (x as { nodeName: string }).nodeName);
      }
      nodes.push({ name, type, kind: nodeKind(type), role, inputs: inputNames, props: rest });
    });
  }
  const names = new Set<string>();
  for (const n of nodes) {
    if (names.has(n.name)) throw invalid(`${where}: node name '${n.name}' is used twice`);
    names.add(n.name);
  }
  for (const n of nodes) {
    for (const input of n.inputs) if (!names.has(input)) throw invalid(`${where}: node '${n.name}' has input '${input}', which is not a node of the topology`);
  }
  if (!nodes.length) throw invalid(`${where}: the topology has no sources, processors or sinks`);
  return nodes;
}

/**
 * The dialect: the node `@type` namespace decides LVA vs AVA (AVA 1.0 files also said `@apiVersion` 1.0); for LVA,
 * `@apiVersion` 1.0 vs 2.0, and without it LVA 1.0-only features (`filePathPattern`, `FrameRateFilterProcessor`,
 * `ImageFormatEncoded`) mean 1.0, else 2.0.
 */
function detectDialect(apiVersion: unknown, nodes: TopologyNode[], where: string): TopologyDialect {
  const lva = nodes.filter((n) => LVA_PREFIX.test(n.type)).length;
  const ava = nodes.filter((n) => AVA_PREFIX.test(n.type)).length;
  if (lva && ava) throw invalid(`${where}: mixes LVA (#Microsoft.Media.*) and AVA (#Microsoft.VideoAnalyzer.*) node types`);
  if (ava) return 'ava-1.1';
  if (!lva) throw invalid(`${where}: node types are neither LVA (#Microsoft.Media.MediaGraph*) nor AVA (#Microsoft.VideoAnalyzer.*)`);
  if (apiVersion === '1.0') return 'lva-1.0';
  if (typeof apiVersion === 'string' && apiVersion.startsWith('2.')) return 'lva-2.0';
  const text = JSON.stringify(nodes);
  return /filePathPattern|FrameRateFilterProcessor|ImageFormatEncoded/.test(text) ? 'lva-1.0' : 'lva-2.0';
}

/**
 * Parses a topology document (`{ "@apiVersion"?, "name", "properties": { parameters, sources, processors, sinks } }`,
 * as JSON.parse gives it; an AVA cloud topology with `Name`/`Kind`/`Properties` too).
 * @throws ValidationError `InvalidTopology` when the document is not a topology, a node lacks `@type`/`name`, names
 *   repeat, an input names no node, or a parameter declaration is malformed
 */
export function parseTopology(doc: unknown): ParsedTopology {
  if (!isObject(doc)) throw invalid('topology: expected a JSON object with name and properties');
  const name = getCi(doc, 'name');
  if (typeof name !== 'string' || !name) throw invalid('topology: expected a "name" string');
  const where = `topology '${name}'`;
  const props = getCi(doc, 'properties');
  if (!isObject(props)) throw invalid(`${where}: expected a "properties" object`);
  const kind = getCi(doc, 'kind');
  const nodes = parseNodes(props, where);
  const parsed: ParsedTopology = {
    dialect: detectDialect(getCi(doc, '@apiVersion'), nodes, where),
    name,
    parameters: parseParameters(getCi(props, 'parameters'), where),
    nodes,
  };
  if (typeof kind === 'string') parsed.cloudKind = kind.toLowerCase();
  return parsed;
}
