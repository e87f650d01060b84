import { ValidationError } from '../errors';

/**
 * `${System.*}` variables of LVA and AVA topologies (docs/reference/ava-behaviour.md "Names"):
 * - topology name: LVA `${System.GraphTopologyName}`, AVA `${System.TopologyName}`;
 * - pipeline name: LVA `${System.GraphInstanceName}`, AVA `${System.PipelineName}`;
 * - date-time of the event: LVA `${System.DateTime}` / `${System.PreciseDateTime}`, AVA `${System.Runtime.DateTime}` /
 *   `${System.Runtime.PreciseDateTime}` (UTC ISO 8601 basic, `yyyyMMddTHHmmssZ`, with `.fff` for Precise).
 * The names are known at import and replaced; the date-times are only known when a recording happens, so they are
 * kept, in AVA's spelling, which the agent's file sink renders at run time (shared/schemas/file-name-pattern.ts).
 */
export const SYSTEM_VARIABLE_NAMES = {
  topologyName: ['System.GraphTopologyName', 'System.TopologyName'],
  pipelineName: ['System.GraphInstanceName', 'System.PipelineName'],
  dateTime: ['System.DateTime', 'System.Runtime.DateTime'],
  preciseDateTime: ['System.PreciseDateTime', 'System.Runtime.PreciseDateTime'],
} as const;

/** What the import-time variables resolve to. */
export interface SystemVariableValues {
  topologyName: string;
  pipelineName: string;
}

const SYSTEM_REFERENCE = /\$\{(System\.[^}]*)\}/g;

/**
 * Resolves the `${System.*}` variables of one string: names replaced, date-times rewritten to
 * `${System.Runtime.DateTime}` / `${System.Runtime.PreciseDateTime}`.
 * @param at the key path of the string, for messages
 * @throws ValidationError `InvalidTopology` naming the key path for an unknown `${System.*}` variable
 */
export function resolveSystemVariables(text: string, values: SystemVariableValues, at: string): string {
  return text.replace(SYSTEM_REFERENCE, (_whole, name: string) => {
    const n = name.toLowerCase();
    const is = (list: readonly string[]) => list.some((v) => v.toLowerCase() === n);
    if (is(SYSTEM_VARIABLE_NAMES.topologyName)) return values.topologyName;
    if (is(SYSTEM_VARIABLE_NAMES.pipelineName)) return values.pipelineName;
    if (is(SYSTEM_VARIABLE_NAMES.dateTime)) return '${System.Runtime.DateTime}';
    if (is(SYSTEM_VARIABLE_NAMES.preciseDateTime)) return '${System.Runtime.PreciseDateTime}';
    const known = Object.values(SYSTEM_VARIABLE_NAMES).flat().map((v) => `\${${v}}`).join(', ');
    throw new ValidationError(`${at} uses \${${name}}, which is not a system variable (known: ${known})`, undefined, 'InvalidTopology');
  });
}

/** {@link resolveSystemVariables} over every string of `value`, deeply. */
export function resolveSystemVariablesDeep(value: unknown, values: SystemVariableValues, at: string): unknown {
  if (typeof value === 'string') return resolveSystemVariables(value, values, at);
  if (Array.isArray(value)) return value.map((v, i) => resolveSystemVariablesDeep(v, values, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSystemVariablesDeep(v, values, `${at}.${k}`)]));
  }
  return value;
}
