import { deviceCommandSealKey, openSealedJson } from '../../shared/contracts/command-seal';
import { ValidationError } from '../../shared/errors';
import { SEGMENT_LENGTH_MAX_MS, SEGMENT_LENGTH_MIN_MS, parseCameraConfig, type CameraConfig } from '../../shared/schemas/agent-config';
import { parsePipelineCommand, type PipelineCommand } from '../../shared/contracts/pipeline-commands';
import { pipelineStateEvent, type PipelineStateData } from '../../shared/contracts/pipeline-state';
import { parseIsoDuration } from '../../shared/time';
import { cameraEventsTopic } from '../../shared/contracts/topics';
import { verifyFileSinkFolders } from '../evr/file-sink-root';
import type { Logger } from '../log';
import type { ActivatedPipeline, ActivePipelines } from './active-pipelines';

/** Opens sealed command parts with the key of this device's secret (shared/contracts/command-seal.ts). */
export function commandOpener(deviceSecret: string, deviceId: string): (sealed: string, commandId: string) => unknown {
  const key = deviceCommandSealKey(deviceSecret, deviceId);
  return (sealed, commandId) => openSealedJson(sealed, key, commandId);
}

/** How often a deactivation checks whether its cameras' cached segments are uploaded, ms. */
export const DRAIN_POLL_MS = 500;

/** What the controller needs from the agent. */
export interface PipelineControllerOptions {
  deviceId: string;
  /** The live pipelines active on this device, kept across restarts. */
  activePipelines: ActivePipelines;
  /** Camera ids of the agent config file: a pipeline may not take one of them. */
  configCameraIds: ReadonlySet<string>;
  /** Folder a pipeline camera's file sink must be inside (edge-agent/evr/file-sink-root.ts); absent = not checked. */
  fileSinkRoot?: string;
  /** Starts recording a camera (no-op when it already records). */
  startCamera(camera: CameraConfig, segmentLengthMs: number): void;
  /** Stops a camera's recorder; resolves once its last segment is closed and cached. */
  stopCamera(cameraId: string): Promise<void>;
  /** True when no cached segment of these cameras still waits for its upload (CVR: none cached; EVR: none queued). */
  drained(cameraIds: ReadonlySet<string>): boolean;
  /** Stores an event durably for publishing (the agent's outbox). @throws when it cannot be stored */
  publish(topic: string, event: Record<string, unknown>): void;
  /** The agent config's segment length, ms: used when the topology sets none. */
  defaultSegmentLengthMs: number;
  /**
   * Opens the sealed cameras of an activate command (shared/contracts/command-seal.ts `openSealedJson` with the key of this
   * device's secret; additional data = the command id). Absent when the agent has no device secret: such commands are
   * answered inactive.
   */
  openSealed?: (sealed: string, commandId: string) => unknown;
  logger: Logger;
  now?: () => number;
}

/**
 * Applies the cloud's live pipeline commands (shared/contracts/pipeline-commands.ts) on the device:
 * - activate: validates the cameras, keeps the pipeline in the {@link ActivePipelines} (so a restart resumes it), starts
 *   its cameras, reports `pipeline.state` active;
 * - deactivate: marks it deactivating in the active pipelines, stops its cameras, waits until their cached segments are uploaded
 *   (AVA: deactivate completes only after cached media is uploaded, docs/reference/ava-behaviour.md "Pipelines"),
 *   forgets it and reports inactive.
 * Reports go through the agent's outbox (never lost) on the events topic of the pipeline's first camera; a command of
 * an older generation than the one held is ignored, a repeated one is answered again (same event id). Commands are
 * applied one at a time, in arrival order.
 */
export class PipelineController {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: PipelineControllerOptions) {}

  /** The cameras of the pipelines to record at start (those held `active` by the previous run). */
  camerasToResume(): Array<{ camera: CameraConfig; segmentLengthMs: number }> {
    const out: Array<{ camera: CameraConfig; segmentLengthMs: number }> = [];
    for (const p of this.opts.activePipelines.list()) {
      if (p.state !== 'active') continue;
      try {
        const segmentLengthMs = this.segmentLengthOf(p);
        const cameras = p.cameras.map((c) => parseCameraConfig(c, `live pipeline '${p.name}' camera`));
        if (this.opts.fileSinkRoot !== undefined) verifyFileSinkFolders(cameras, this.opts.fileSinkRoot, `live pipeline '${p.name}'`);
        for (const camera of cameras) out.push({ camera, segmentLengthMs });
      } catch (err) {
        this.opts.logger.error({ err, pipeline: p.name }, 'live pipeline of the previous run not resumed: its cameras are invalid');
      }
    }
    return out;
  }

  /** Finishes the deactivations the previous run had started (call once the agent runs). */
  resume(): void {
    for (const p of this.opts.activePipelines.list()) {
      if (p.state === 'deactivating') this.enqueue(() => this.finishDeactivation(p));
    }
  }

  /**
   * A command message (already known to be a pipeline command). Invalid ones are logged and dropped; an activation
   * whose sealed cameras this device cannot open (no device secret, or a rotated one) is answered inactive with why.
   */
  onCommand(raw: unknown): void {
    let c: PipelineCommand;
    try {
      c = parsePipelineCommand(raw, this.opts.openSealed);
    } catch (err) {
      const which = err instanceof ValidationError && err.code === 'SealedCommandUnreadable' ? (err.details as { pipelineName: string; generation: number; cameraIds: string[] }) : undefined;
      this.opts.logger.warn({ reason: (err as Error).message }, 'command ignored: invalid live pipeline command');
      if (which) this.enqueue(async () => this.report({ pipelineName: which.pipelineName, state: 'inactive', generation: which.generation, cameraIds: which.cameraIds, message: (err as Error).message.slice(0, 500) }));
      return;
    }
    this.enqueue(() => (c.kind === 'activate' ? this.activate(c) : this.deactivate(c)));
  }

  /** Stops taking commands and waits for the one being applied (a deactivation waiting for uploads is abandoned: the next start resumes it from the active pipelines). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.race([this.chain, new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err) => this.opts.logger.error({ err }, 'live pipeline command failed'));
  }

  private async activate(c: Extract<PipelineCommand, { kind: 'activate' }>): Promise<void> {
    const log = this.opts.logger.child({ pipeline: c.pipelineName, generation: c.generation });
    const held = this.opts.activePipelines.get(c.pipelineName);
    if (held && held.generation > c.generation) return log.info('live pipeline command ignored: older than the one held');
    const cameraIds = c.cameras.map((x) => x.id);
    let cameras: CameraConfig[];
    let segmentLengthMs: number;
    try {
      cameras = c.cameras.map((x) => parseCameraConfig(x, `live pipeline '${c.pipelineName}' camera`));
      if (this.opts.fileSinkRoot !== undefined) verifyFileSinkFolders(cameras, this.opts.fileSinkRoot, `live pipeline '${c.pipelineName}'`);
      segmentLengthMs = this.segmentLengthOf(c);
      const taken = cameraIds.find((id) => this.opts.configCameraIds.has(id) || this.opts.activePipelines.list().some((p) => p.name !== c.pipelineName && p.cameras.some((x) => x.id === id)));
      if (taken) throw new ValidationError(`camera '${taken}' is already recorded by the agent config or another live pipeline`);
    } catch (err) {
      // The cloud learns it could not be applied: the pipeline goes back to inactive there.
      log.error({ reason: (err as Error).message }, 'live pipeline not activated');
      this.report({ pipelineName: c.pipelineName, state: 'inactive', generation: c.generation, cameraIds, message: (err as Error).message.slice(0, 500) });
      return;
    }
    this.opts.activePipelines.put({ name: c.pipelineName, generation: c.generation, state: 'active', cameras: c.cameras, agent: c.agent });
    for (const camera of cameras) this.opts.startCamera(camera, segmentLengthMs);
    const ignored = Object.keys(c.agent).filter((k) => k !== 'segmentLength');
    // The cache is the agent's, shared by all its cameras: a topology's cache folder and cap apply only through the
    // agent config (a `pipelines` entry there, or the operator's own settings).
    if (ignored.length) log.warn({ ignored }, 'live pipeline: its agent-level settings other than segmentLength are not applied at run time');
    log.info({ cameras: cameraIds }, 'live pipeline active');
    this.report({ pipelineName: c.pipelineName, state: 'active', generation: c.generation, cameraIds });
  }

  private async deactivate(c: Extract<PipelineCommand, { kind: 'deactivate' }>): Promise<void> {
    const held = this.opts.activePipelines.get(c.pipelineName);
    if (!held) {
      // Nothing runs (already deactivated, or never activated here): answer, so the cloud's state settles.
      this.report({ pipelineName: c.pipelineName, state: 'inactive', generation: c.generation, cameraIds: c.cameraIds });
      return;
    }
    if (held.generation > c.generation) return this.opts.logger.info({ pipeline: c.pipelineName, generation: c.generation }, 'live pipeline command ignored: older than the one held');
    const next: ActivatedPipeline = { ...held, state: 'deactivating', generation: c.generation };
    this.opts.activePipelines.put(next);
    await this.finishDeactivation(next);
  }

  /**
   * Stops the cameras (in the command chain), then waits for their cached segments to be uploaded OUTSIDE the chain,
   * so a slow upload or an unreachable cloud never holds back other pipelines' commands; once drained, forgets the
   * pipeline and reports inactive, unless a newer command took the pipeline over meanwhile.
   */
  private async finishDeactivation(p: ActivatedPipeline): Promise<void> {
    const log = this.opts.logger.child({ pipeline: p.name, generation: p.generation });
    const ids = new Set(p.cameras.map((c) => c.id));
    await Promise.all([...ids].map((id) => this.opts.stopCamera(id)));
    log.info({ cameras: [...ids] }, 'live pipeline cameras stopped; waiting for their cached segments to upload');
    void this.reportWhenDrained(p, ids, log).catch((err) => log.error({ err }, 'live pipeline deactivation failed'));
  }

  private async reportWhenDrained(p: ActivatedPipeline, ids: ReadonlySet<string>, log: Logger): Promise<void> {
    while (!this.opts.drained(ids)) {
      if (this.stopped) return; // the active pipelines keep it deactivating: the next start resumes the wait
      await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    }
    const held = this.opts.activePipelines.get(p.name);
    if (!held || held.generation !== p.generation || held.state !== 'deactivating') return; // superseded, or reported already
    this.opts.activePipelines.remove(p.name);
    log.info('live pipeline inactive');
    this.report({ pipelineName: p.name, state: 'inactive', generation: p.generation, cameraIds: [...ids] });
  }

  private report(data: PipelineStateData): void {
    const event = pipelineStateEvent(this.opts.deviceId, data, (this.opts.now ?? Date.now)());
    this.opts.publish(cameraEventsTopic(this.opts.deviceId, data.cameraIds[0]), event);
  }

  /** The pipeline's segment length (its topology's `segmentLength`, PT2S..PT5M as the agent config allows), else the agent's. */
  private segmentLengthOf(p: { agent: Record<string, unknown> }): number {
    if (p.agent.segmentLength === undefined) return this.opts.defaultSegmentLengthMs;
    const ms = parseIsoDuration(p.agent.segmentLength, 'segmentLength');
    if (ms < SEGMENT_LENGTH_MIN_MS || ms > SEGMENT_LENGTH_MAX_MS) throw new ValidationError(`segmentLength ${String(p.agent.segmentLength)} is outside PT2S..PT5M`);
    return ms;
  }
}
