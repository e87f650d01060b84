import { ConflictError, ValidationError } from '../errors';

/**
 * The lifecycle of AVA live pipelines and pipeline topologies on one device, as pure decisions: each function takes
 * what is stored and answers what to do (status, new state, whether a command goes to the device) or throws the error
 * AVA answered. No I/O; the HTTP handlers (functions/pipelines/*.ts) read, decide, then write at the ETag they read.
 *
 * Source: AVA/LVA direct methods and rules, docs/reference/ava-behaviour.md "Pipelines" ("States", "Updates", "Module
 * limits", the direct methods table): states `inactive → activating → active → deactivating → inactive`; set 201/200
 * only while inactive; activate idempotent on active, 409 `OperationNotAllowedInState` from deactivating; deactivate
 * 409 from activating; delete 200, 204 when not found, 409 unless inactive; topology delete 409
 * `PipelineTopologyInUse` while a pipeline references it; ≤ 50 topologies and ≤ 1000 live pipelines per device.
 */

/** AVA's live pipeline states (swagger spelling, lowercase). */
export const PIPELINE_STATES = ['inactive', 'activating', 'active', 'deactivating'] as const;
export type PipelineState = (typeof PIPELINE_STATES)[number];

/** AVA module limit: pipeline topologies per device (docs/reference/ava-behaviour.md "Pipelines", "Module limits"). */
export const MAX_TOPOLOGIES_PER_DEVICE = 50;
/** AVA module limit: live pipelines per device (docs/reference/ava-behaviour.md "Pipelines", "Module limits"). */
export const MAX_PIPELINES_PER_DEVICE = 1000;

/** Error code of a request the pipeline's state does not allow (AVA `OperationNotAllowedInState`, a 409). */
export const NOT_ALLOWED_IN_STATE = 'OperationNotAllowedInState';
/** Error code of deleting or changing a topology that pipelines reference (AVA `PipelineTopologyInUse`, a 409). */
export const TOPOLOGY_IN_USE = 'PipelineTopologyInUse';
/** Error code of a set beyond the module limits (a 409; AVA documented the limits, not the code). */
export const LIMIT_EXCEEDED = 'ModuleLimitExceeded';

/** What the lifecycle needs to know of a stored live pipeline. */
export interface PipelineLifecycleView {
  name: string;
  topologyName: string;
  state: PipelineState;
  /** Parameter names the pipeline sets (values are not needed to decide). */
  parameterNames: readonly string[];
  /**
   * Counts the activate/deactivate commands sent; a command carries it and the device's `pipeline.state` report echoes
   * it, so a late or repeated report of an older command never moves the state (reports may arrive in any order).
   */
  generation: number;
}

/** A stored live pipeline as the lifecycle sees it: its parameter names taken from its parameter values. */
export function lifecycleView<T extends { parameters: Readonly<Record<string, string>> }>(p: T): T & { parameterNames: string[] } {
  return { ...p, parameterNames: Object.keys(p.parameters) };
}

/** A parameter declaration of a topology (AVA `parameters[]`: `name`, `type`, optional `default`). */
export interface ParameterDeclaration {
  name: string;
  type: string;
  default?: string;
}

/**
 * The names of a topology's SecretString parameters (type compared case-insensitively, as AVA's `String`/`string`),
 * whose values the API never returns (docs/reference/ava-behaviour.md "Pipelines").
 * @param declarations the topology document's `properties.parameters` (anything else gives none)
 */
export function secretParameterNames(declarations: unknown): string[] {
  if (!Array.isArray(declarations)) return [];
  return declarations
    .filter((d): d is { name: unknown; type: string } => typeof d === 'object' && d !== null && typeof (d as { type?: unknown }).type === 'string' && (d as { type: string }).type.toLowerCase() === 'secretstring')
    .map((d) => String(d.name));
}

/** A decision on a set (PUT): create (201) or update (200). */
export interface SetDecision {
  status: 200 | 201;
}

/**
 * Whether a live pipeline may be set (created or updated).
 * @param existing the stored pipeline of that name, if any
 * @param pipelineCount how many live pipelines the device has now
 * @returns 201 for a new pipeline (its state is `inactive`), 200 for an update (free while inactive)
 * @throws ConflictError `OperationNotAllowedInState` when `existing` is not inactive; `ModuleLimitExceeded` when a
 *   new pipeline would be the device's 1001st
 * Source: AVA livePipelineSet, docs/reference/ava-behaviour.md "Pipelines" ("Updates": a pipeline changes freely while
 * inactive)
 */
export function decideSetPipeline(existing: PipelineLifecycleView | undefined, pipelineCount: number): SetDecision {
  if (existing) {
    if (existing.state !== 'inactive') {
      throw new ConflictError(`live pipeline '${existing.name}' is ${existing.state}: it can be changed only while inactive; deactivate it first`, NOT_ALLOWED_IN_STATE);
    }
    return { status: 200 };
  }
  if (pipelineCount >= MAX_PIPELINES_PER_DEVICE) {
    throw new ConflictError(`the device has ${pipelineCount} live pipelines, the most it may have (${MAX_PIPELINES_PER_DEVICE}); delete one first`, LIMIT_EXCEEDED);
  }
  return { status: 201 };
}

/** What an activate or deactivate does. */
export interface TransitionDecision {
  /** The state to store now (equal to the current one when nothing changes). */
  state: PipelineState;
  /** The generation to store (incremented when a new command starts). */
  generation: number;
  /** True when a command must go to the device (a new transition, or a repeat of the one in progress). */
  sendCommand: boolean;
  /** True when the request must wait for the device's report (the state is transitional). */
  awaitReport: boolean;
}

/**
 * Activate (AVA livePipelineActivate): `inactive` → `activating` (a new command); `activating` → unchanged, the
 * command is sent again with the same generation (the device applies it once); `active` → unchanged, 200 (idempotent).
 * @throws ConflictError `OperationNotAllowedInState` while `deactivating`
 * Source: docs/reference/ava-behaviour.md "Pipelines", "Direct methods"
 */
export function decideActivate(p: PipelineLifecycleView): TransitionDecision {
  switch (p.state) {
    case 'inactive':
      return { state: 'activating', generation: p.generation + 1, sendCommand: true, awaitReport: true };
    case 'activating':
      return { state: 'activating', generation: p.generation, sendCommand: true, awaitReport: true };
    case 'active':
      return { state: 'active', generation: p.generation, sendCommand: false, awaitReport: false };
    case 'deactivating':
      throw new ConflictError(`live pipeline '${p.name}' is deactivating: it can be activated once inactive`, NOT_ALLOWED_IN_STATE);
  }
}

/**
 * Deactivate (AVA livePipelineDeactivate): `active` → `deactivating` (a new command); `deactivating` → unchanged, the
 * command is sent again with the same generation; `inactive` → unchanged, 200.
 * @throws ConflictError `OperationNotAllowedInState` while `activating`
 * Source: docs/reference/ava-behaviour.md "Pipelines", "Direct methods"
 */
export function decideDeactivate(p: PipelineLifecycleView): TransitionDecision {
  switch (p.state) {
    case 'active':
      return { state: 'deactivating', generation: p.generation + 1, sendCommand: true, awaitReport: true };
    case 'deactivating':
      return { state: 'deactivating', generation: p.generation, sendCommand: true, awaitReport: true };
    case 'inactive':
      return { state: 'inactive', generation: p.generation, sendCommand: false, awaitReport: false };
    case 'activating':
      throw new ConflictError(`live pipeline '${p.name}' is activating: it can be deactivated once active`, NOT_ALLOWED_IN_STATE);
  }
}

/**
 * Delete a live pipeline (AVA livePipelineDelete).
 * @returns 204 when there is no such pipeline (nothing to do), 200 when it is inactive (delete it)
 * @throws ConflictError `OperationNotAllowedInState` when it is not inactive
 */
export function decideDeletePipeline(p: PipelineLifecycleView | undefined, name: string): { status: 200 | 204 } {
  if (!p) return { status: 204 };
  if (p.state !== 'inactive') {
    throw new ConflictError(`live pipeline '${name}' is ${p.state}: only inactive live pipelines can be deleted; deactivate it first`, NOT_ALLOWED_IN_STATE);
  }
  return { status: 200 };
}

/**
 * Whether a topology may be set.
 * - new: 201, unless the device has 50 topologies already;
 * - existing, referenced by no pipeline: 200 (free);
 * - referenced by a pipeline that is not inactive: 409 (LVA refused updates under active instances);
 * - referenced only by inactive pipelines: 200 if every referencing pipeline still fits the new declarations — each
 *   parameter it sets is still declared, and each declared parameter without a default is one it sets (AVA: "only if
 *   new params have defaults and removed params are unused").
 * @param parameters the new topology's parameter declarations
 * @param referencing the pipelines whose `topologyName` is this topology
 * @throws ConflictError `PipelineTopologyInUse` (naming the pipeline and the parameter) or `ModuleLimitExceeded`
 * Source: docs/reference/ava-behaviour.md "Pipelines", "Updates"
 */
export function decideSetTopology(
  name: string,
  exists: boolean,
  topologyCount: number,
  parameters: readonly ParameterDeclaration[],
  referencing: readonly PipelineLifecycleView[],
): SetDecision {
  if (!exists) {
    if (topologyCount >= MAX_TOPOLOGIES_PER_DEVICE) {
      throw new ConflictError(`the device has ${topologyCount} pipeline topologies, the most it may have (${MAX_TOPOLOGIES_PER_DEVICE}); delete one first`, LIMIT_EXCEEDED);
    }
    return { status: 201 };
  }
  const busy = referencing.filter((p) => p.state !== 'inactive');
  if (busy.length) {
    throw new ConflictError(
      `pipeline topology '${name}' is used by live pipeline${busy.length > 1 ? 's' : ''} ${busy.map((p) => `'${p.name}' (${p.state})`).join(', ')}: it can be changed only while they are inactive`,
      TOPOLOGY_IN_USE,
    );
  }
  const declared = new Map(parameters.map((d) => [d.name.toLowerCase(), d]));
  for (const p of referencing) {
    const sets = new Set(p.parameterNames.map((n) => n.toLowerCase()));
    const removed = p.parameterNames.find((n) => !declared.has(n.toLowerCase()));
    if (removed !== undefined) {
      throw new ConflictError(`pipeline topology '${name}': live pipeline '${p.name}' sets parameter '${removed}', which the new topology no longer declares`, TOPOLOGY_IN_USE);
    }
    const missing = parameters.find((d) => d.default === undefined && !sets.has(d.name.toLowerCase()));
    if (missing) {
      throw new ConflictError(`pipeline topology '${name}': new parameter '${missing.name}' has no default and live pipeline '${p.name}' does not set it`, TOPOLOGY_IN_USE);
    }
  }
  return { status: 200 };
}

/**
 * Delete a topology (AVA pipelineTopologyDelete).
 * @returns 204 when there is no such topology, 200 when no pipeline references it
 * @throws ConflictError `PipelineTopologyInUse` naming the referencing pipelines
 */
export function decideDeleteTopology(name: string, exists: boolean, referencing: readonly PipelineLifecycleView[]): { status: 200 | 204 } {
  if (!exists) return { status: 204 };
  if (referencing.length) {
    throw new ConflictError(`pipeline topology '${name}' is used by live pipeline${referencing.length > 1 ? 's' : ''} ${referencing.map((p) => `'${p.name}'`).join(', ')}; delete them first`, TOPOLOGY_IN_USE);
  }
  return { status: 200 };
}

/** A device's `pipeline.state` report: the state it reached for the command of `generation`. */
export interface PipelineStateReport {
  state: 'active' | 'inactive';
  generation: number;
}

/**
 * Applies a device report to the stored state. Only a report for the command in progress (same generation) moves a
 * transitional state: `activating` + active → `active`; `activating` + inactive → `inactive` (the device could not
 * apply it); `deactivating` + inactive → `inactive`. Anything else — a repeated report, a report of an older command,
 * a report for a stable state — changes nothing, so reports may come twice and in any order.
 * @returns the new state, or `undefined` when nothing changes
 */
export function applyStateReport(p: PipelineLifecycleView, report: PipelineStateReport): PipelineState | undefined {
  if (report.generation !== p.generation) return undefined;
  if (p.state === 'activating') return report.state;
  if (p.state === 'deactivating' && report.state === 'inactive') return 'inactive';
  return undefined;
}

/** AVA entity names (topology, live pipeline): letters, digits, '-' and '_', 1..32, not starting or ending with '-'. */
export const ENTITY_NAME_PATTERN = /^(?!-)[A-Za-z0-9_-]{1,32}(?<!-)$/;

/**
 * Returns `name` when it is a valid AVA entity name.
 * @param kind names the entity in the message ("pipeline topology", "live pipeline")
 * @throws ValidationError `InvalidName` naming the value and the rule
 * Source: docs/reference/ava-behaviour.md "Pipelines", "Entity names" (≤ 32; the import contract allows '_', which AVA
 * samples use)
 */
export function assertEntityName(kind: string, name: unknown): string {
  if (typeof name === 'string' && ENTITY_NAME_PATTERN.test(name)) return name;
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 40)) : String(name);
  throw new ValidationError(`${kind} name ${shown} is invalid: use 1 to 32 letters, digits, '-' and '_', not starting or ending with '-'`, undefined, 'InvalidName');
}
