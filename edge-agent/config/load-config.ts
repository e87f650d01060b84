import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ValidationError } from '../../shared/errors';
import { parseAgentConfig, type AgentConfig } from '../../shared/schemas/agent-config';
import { fileSinkRootOf, verifyFileSinkFolders } from '../evr/file-sink-root';
import { expandPipelines, parsePipelineEntries } from '../../shared/topology/expand-pipelines';
import { readTopologyFile } from './read-topology-file';

/**
 * Replaces `${env:NAME}` placeholders in every string of a config document with the environment
 * variable's value, so secrets (device password, RTSP passwords, connection strings) stay out of
 * the file (Frigate's `{FRIGATE_*}` idea). This is the only place the
 * agent reads the environment for configuration.
 * @throws ValidationError naming the key path and the variable when a variable is unset
 */
export function resolvePlaceholders(doc: unknown, env: NodeJS.ProcessEnv, at = ''): unknown {
  if (typeof doc === 'string') {
    return doc.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) throw new ValidationError(`agent config: ${at || '(root)'} refers to environment variable ${name}, which is not set`);
      return v;
    });
  }
  if (Array.isArray(doc)) return doc.map((v, i) => resolvePlaceholders(v, env, `${at}[${i}]`));
  if (doc && typeof doc === 'object') {
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, resolvePlaceholders(v, env, at ? `${at}.${k}` : k)]));
  }
  return doc;
}

/**
 * One thing loading the config tells the caller to log: a note about an expanded pipeline (`info`, naming the
 * pipeline, maybe the camera) or a deprecated key the file still uses (`warn`, e.g. `evrCacheHold`).
 */
export interface AgentConfigNote {
  level: 'info' | 'warn';
  pipeline?: string;
  cameraId?: string;
  message: string;
}

/**
 * Expands the document's `pipelines` (AVA live pipelines: name, topologyFile, parameters) into cameras and agent
 * settings (shared/topology/expand-pipelines.ts); topology files are read relative to the config file's folder.
 * Without `pipelines` the document is returned as is.
 * @throws ValidationError naming the pipeline and the problem (unreadable topology, unsupported nodes, parameters)
 */
function expandConfigPipelines(doc: Record<string, unknown>, file: string, notes: AgentConfigNote[]): Record<string, unknown> {
  if (doc.pipelines === undefined) return doc;
  const entries = parsePipelineEntries(doc.pipelines);
  const topologies: Record<string, unknown> = {};
  for (const e of entries) topologies[e.topologyFile] ??= readTopologyFile(path.resolve(path.dirname(file), e.topologyFile));
  const expanded = expandPipelines(doc, entries, topologies);
  notes.push(...expanded.notes.map((n) => ({ level: 'info' as const, ...n })));
  return expanded.doc;
}

/**
 * Reads and validates the agent config file (YAML, or JSON which YAML also reads), expanding its `pipelines`.
 * @param overrides applied over the file before validation (from CLI flags); `cameras` there replaces the file's
 *   cameras and pipelines
 * @param notes receives what the caller should log: about expanded pipelines (cloud policies to set, conflicts; `info`)
 *   and deprecated keys (`evrCacheHold`, read as `evrCacheHorizon`; `warn`, once)
 * @throws ValidationError for an unreadable file, bad YAML, or any schema error (every key named);
 *   relative `localMediaCachePath`, `fileSinkRoot` and broker TLS files (`clientCertFile`, `clientKeyFile`, `caFile`)
 *   are resolved against the config file's folder; a camera's file sink folder outside `fileSinkRoot` (default
 *   `{localMediaCachePath}/file-sinks`) is a ValidationError
 */
export function loadAgentConfig(file: string, overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env, notes: AgentConfigNote[] = []): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ValidationError(`agent config: cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ValidationError(`agent config: ${file} is not valid YAML or JSON: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ValidationError(`agent config: ${file} must hold a mapping of settings`);
  const merged = resolvePlaceholders({ ...(doc as object), ...overrides }, env) as Record<string, unknown>;
  if (overrides.cameras !== undefined) delete merged.pipelines;
  const config = parseAgentConfig(expandConfigPipelines(merged, file, notes), (message) => notes.push({ level: 'warn', message }));
  const dir = path.dirname(file);
  const broker = { ...config.broker };
  for (const key of ['clientCertFile', 'clientKeyFile', 'caFile'] as const) {
    if (broker[key] !== undefined) broker[key] = path.resolve(dir, broker[key]);
  }
  const localMediaCachePath = path.resolve(dir, config.localMediaCachePath);
  const fileSinkRoot = fileSinkRootOf({ localMediaCachePath, fileSinkRoot: config.fileSinkRoot === undefined ? undefined : path.resolve(dir, config.fileSinkRoot) });
  verifyFileSinkFolders(config.cameras, fileSinkRoot, 'agent config');
  return { ...config, broker, localMediaCachePath, fileSinkRoot };
}
