import { ValidationError } from '../errors';
import type { ParameterDeclaration } from './parse-topology';

/**
 * AVA's topology parameters (docs/reference/ava-behaviour.md "Pipelines", "Parameters"): a live pipeline supplies
 * `{name, value}` pairs; a parameter without `default` must be supplied; only declared parameters may be set;
 * values are referenced in the topology as `${name}`; SecretString values are never echoed back.
 */

/** The values of a live pipeline's parameters after defaults, and which of them are secret. */
export interface ResolvedParameters {
  /** Value of every declared parameter, by name. */
  values: Record<string, string>;
  /** Values of SecretString parameters (non-empty ones), to keep out of messages. */
  secretValues: string[];
  /** Names of the SecretString parameters. */
  secretNames: string[];
}

const INT = /^[+-]?\d+$/;
const BOOL = /^(true|false)$/i;

/** Why `value` is not of `type`, or undefined. The message names the parameter and type, never the value. */
function typeProblem(p: ParameterDeclaration, value: string): string | undefined {
  if (p.type === 'int' && !INT.test(value.trim())) return `parameter '${p.name}' must be an Int`;
  if (p.type === 'double' && (value.trim() === '' || !Number.isFinite(Number(value)))) return `parameter '${p.name}' must be a Double`;
  if (p.type === 'bool' && !BOOL.test(value.trim())) return `parameter '${p.name}' must be a Bool (true or false)`;
  return undefined;
}

/**
 * Applies supplied values over the declared defaults.
 * @param declared the topology's declarations
 * @param supplied the live pipeline's values by name (strings)
 * @throws ValidationError `UndeclaredParameter` naming every supplied name the topology does not declare;
 *   `MissingParameter` naming every required parameter without value; `InvalidParameter` naming every value
 *   that is not a string or not of its Int/Double/Bool type (the value itself is never in the message)
 */
export function resolveParameters(declared: readonly ParameterDeclaration[], supplied: Readonly<Record<string, unknown>>, where: string): ResolvedParameters {
  const byName = new Map(declared.map((p) => [p.name, p]));
  const undeclared = Object.keys(supplied).filter((n) => !byName.has(n));
  if (undeclared.length) {
    const known = declared.map((p) => p.name).join(', ') || '(none)';
    throw new ValidationError(`${where}: parameter${undeclared.length > 1 ? 's' : ''} ${undeclared.map((n) => `'${n}'`).join(', ')} not declared by the topology (declared: ${known})`, undefined, 'UndeclaredParameter');
  }
  const missing = declared.filter((p) => p.default === undefined && supplied[p.name] === undefined).map((p) => `'${p.name}'`);
  if (missing.length) throw new ValidationError(`${where}: required parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not supplied (no default)`, undefined, 'MissingParameter');
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const p of declared) {
    const v = supplied[p.name] ?? p.default;
    if (typeof v !== 'string') {
      problems.push(`parameter '${p.name}' must be a string value`);
      continue;
    }
    const problem = typeProblem(p, v);
    if (problem) problems.push(problem);
    values[p.name] = v;
  }
  if (problems.length) throw new ValidationError(`${where}: ${problems.join('; ')}`, undefined, 'InvalidParameter');
  const secrets = declared.filter((p) => p.type === 'secretstring');
  return { values, secretNames: secrets.map((p) => p.name), secretValues: secrets.map((p) => values[p.name]).filter((v) => v !== '') };
}

const REFERENCE = /\$\{([^}]*)\}/g;

/**
 * Replaces `${name}` references to parameters in every string of `value` (deeply); `${System.*}` variables are left
 * for shared/topology/system-variables.ts.
 * @param at the key path of `value`, for messages
 * @throws ValidationError `InvalidTopology` naming the key path and the reference when it names no declared parameter
 */
export function substituteParameters(value: unknown, values: Readonly<Record<string, string>>, at: string): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, name: string) => {
      if (name.startsWith('System.')) return whole;
      if (!Object.hasOwn(values, name)) throw new ValidationError(`${at} refers to \${${name}}, which is not a declared parameter`, undefined, 'InvalidTopology');
      return values[name];
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteParameters(v, values, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteParameters(v, values, `${at}.${k}`)]));
  }
  return value;
}

/**
 * Replaces every occurrence of a secret value in `text` by `***` (SecretString values are never echoed,
 * docs/reference/ava-behaviour.md "Pipelines").
 */
export function maskSecrets(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const s of [...secretValues].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}
