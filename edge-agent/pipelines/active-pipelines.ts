import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../journal/atomic-file';
import type { Logger } from '../log';

/**
 * One live pipeline the cloud activated on this device and the agent has not yet reported inactive, as the agent keeps
 * it across restarts:
 * - `active`: its cameras record; a restart starts them again;
 * - `deactivating`: a deactivate arrived; its cameras are stopped and the agent waits for their cached segments to be
 *   uploaded before it reports `inactive` and forgets the pipeline (a restart resumes that wait).
 */
export interface ActivatedPipeline {
  name: string;
  generation: number;
  state: 'active' | 'deactivating';
  /** Camera entries as the activate command carried them (agent config `cameras[i]` input shape). */
  cameras: Array<Record<string, unknown> & { id: string }>;
  /** Agent-level settings of the topology (`segmentLength`, ...). */
  agent: Record<string, unknown>;
}

/** File name of the active pipelines in the cache folder (unchanged across versions: an upgraded agent reads it). */
export const ACTIVE_PIPELINES_FILE = 'pipelines.json';

/**
 * The live pipelines active on this device (activated, or deactivating until their cameras' segments are uploaded),
 * persisted in `{localMediaCachePath}/pipelines.json` (`{ "pipelines": [...] }`, replaced atomically on every change),
 * so a restart resumes them. A pipeline reported inactive is removed.
 */
export class ActivePipelines {
  private readonly file: string;
  private readonly byName = new Map<string, ActivatedPipeline>();

  constructor(cacheDir: string, private readonly logger: Logger) {
    this.file = path.join(cacheDir, ACTIVE_PIPELINES_FILE);
  }

  /**
   * Reads the active pipelines of the previous run; a missing file means none, an unreadable one is logged (error) and
   * treated as empty: the cloud then sees the pipelines' cameras stop until it activates them again.
   */
  load(): ActivatedPipeline[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const doc = JSON.parse(text) as { pipelines?: ActivatedPipeline[] };
      for (const p of doc.pipelines ?? []) {
        if (typeof p?.name === 'string' && Array.isArray(p.cameras) && (p.state === 'active' || p.state === 'deactivating')) this.byName.set(p.name, p);
      }
    } catch (err) {
      this.logger.error({ err, file: this.file }, 'live pipelines file unreadable: no pipeline resumed');
    }
    return this.list();
  }

  list(): ActivatedPipeline[] {
    return [...this.byName.values()];
  }

  get(name: string): ActivatedPipeline | undefined {
    return this.byName.get(name);
  }

  /** Stores or replaces a pipeline. @throws the file system's error (the pipelines in memory are unchanged then) */
  put(p: ActivatedPipeline): void {
    const next = new Map(this.byName).set(p.name, p);
    this.write(next);
    this.byName.set(p.name, p);
  }

  /** Forgets a pipeline. @throws the file system's error */
  remove(name: string): void {
    if (!this.byName.has(name)) return;
    const next = new Map(this.byName);
    next.delete(name);
    this.write(next);
    this.byName.delete(name);
  }

  private write(pipelines: Map<string, ActivatedPipeline>): void {
    writeFileAtomic(this.file, JSON.stringify({ pipelines: [...pipelines.values()] }));
  }
}
