import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { ValidationError } from '../../shared/errors';
import { importTopology, type TopologyImport } from '../../shared/topology/import-topology';
import { putCameraPolicies } from './put-camera-policies';
import { readTopologyFile } from './read-topology-file';

/** `keepwatch-agent import-topology --help`: usage, options, the SecretString rule and the exit codes. */
export const IMPORT_TOPOLOGY_HELP = `keepwatch-agent import-topology — turns an LVA/AVA topology file into Keepwatch camera config and cloud policy

Usage: keepwatch-agent import-topology FILE [--param NAME=VALUE ...] [--pipeline-name NAME]
                                       [--output agent|policy|json] [--api-url URL --api-key KEY]

Options:
      --param NAME=VALUE   a live pipeline parameter (repeatable); undeclared names are refused
      --pipeline-name NAME the live pipeline's name, which gives the camera id (default: the topology's name)
      --output FORMAT      agent: the agent config fragment (YAML); policy: the cloud policies (JSON, by camera id);
                           json: everything (dialect, cameras, agent, policies, notes); default: the YAML fragment
                           followed by the policies as comments
      --api-url URL        also PUT each camera's policy to URL/api/cameras/{id}/policy (needs --api-key)
      --api-key KEY        the Functions key for --api-url (sent as x-functions-key)
  -h, --help               show this help

SecretString parameter values are not printed: they become \${env:KEEPWATCH_PARAM_<NAME>} placeholders,
which the agent resolves from its environment. Exit codes: 0 done; 2 bad arguments, file or topology
(the message names every unsupported node); 3 the API refused or could not be reached.`;

/** Environment variable that carries a SecretString parameter's value in the printed config. */
export function secretEnvName(parameter: string): string {
  return `KEEPWATCH_PARAM_${parameter.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/** Replaces the values of SecretString parameters in every string of `value` by `${env:...}` placeholders. */
function withPlaceholders(value: unknown, secrets: ReadonlyArray<[string, string]>): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const [name, secret] of secrets) if (secret) out = out.split(secret).join(`\${env:${secretEnvName(name)}}`);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => withPlaceholders(v, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlaceholders(v, secrets)]));
  return value;
}

/** Parses repeatable `--param NAME=VALUE` flags. @throws ValidationError naming a flag without `=` */
function parseParams(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new ValidationError(`--param ${JSON.stringify(v.includes('=') ? v : v.slice(0, 40))}: expected NAME=VALUE, e.g. --param rtspUrl=rtsp://10.0.0.5:554/stream`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

/** The printed text for `--output`. */
function render(result: TopologyImport, output: string, pipelineName: string): string {
  const fragment = { ...result.agent, cameras: result.cameras };
  if (output === 'agent') return YAML.stringify(fragment);
  if (output === 'policy') return `${JSON.stringify(result.policies, null, 2)}\n`;
  if (output === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  const lines = [`# ${result.topologyName} (${result.dialect}), live pipeline '${pipelineName}': merge into the agent config`];
  for (const n of result.notes) lines.push(`# note: ${n}`);
  lines.push(YAML.stringify(fragment).trimEnd());
  for (const [id, policy] of Object.entries(result.policies)) {
    lines.push(`# cloud recording policy of camera '${id}': PUT /api/cameras/${id}/policy (or run again with --api-url and --api-key)`);
    for (const l of JSON.stringify(policy, null, 2).split('\n')) lines.push(`#   ${l}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `keepwatch-agent import-topology` (docs/migrating-from-ava.md).
 * @param argv the arguments after `import-topology`
 * @param write where output goes (stdout), `report` where progress goes (stderr)
 * @returns the exit code: 0 done, 3 the API refused or was unreachable
 * @throws ValidationError for bad arguments, an unreadable file or a topology that does not import (exit code 2)
 */
export async function runImportTopology(argv: string[], write: (text: string) => void, report: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      param: { type: 'string', multiple: true },
      'pipeline-name': { type: 'string' },
      output: { type: 'string' },
      'api-url': { type: 'string' },
      'api-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    write(`${IMPORT_TOPOLOGY_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new ValidationError('import-topology: expected exactly one topology FILE (see --help)');
  const output = values.output ?? 'default';
  if (!['default', 'agent', 'policy', 'json'].includes(output)) throw new ValidationError(`--output ${JSON.stringify(output)}: expected agent, policy or json`);
  if (!!values['api-url'] !== !!values['api-key']) throw new ValidationError('--api-url and --api-key go together');
  const topology = readTopologyFile(positionals[0]);
  const parameters = parseParams(values.param ?? []);
  const topologyName = topology && typeof topology === 'object' ? (topology as { name?: unknown }).name : undefined;
  const pipelineName = values['pipeline-name'] ?? (typeof topologyName === 'string' ? topologyName : '');
  const result = importTopology(topology, { name: pipelineName, parameters });
  const secrets = (result.secretParameterNames ?? []).map((n) => [n, parameters[n] ?? ''] as [string, string]);
  const printable = withPlaceholders(result, secrets) as TopologyImport;
  write(render(printable, output, pipelineName));
  if (values['api-url']) {
    try {
      const done = await putCameraPolicies(values['api-url'], values['api-key'] as string, result.policies);
      report(done.length ? `import-topology: cloud recording policy set for camera${done.length > 1 ? 's' : ''} ${done.map((d) => `'${d}'`).join(', ')} at ${values['api-url']}\n` : 'import-topology: the topology records nothing to the cloud; no policy to set\n');
    } catch (err) {
      report(`import-topology: ${(err as Error).message}\n`);
      return 3;
    }
  }
  return 0;
}
