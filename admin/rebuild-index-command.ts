import { parseArgs } from 'node:util';
import { KeepwatchError, ValidationError } from '../shared/errors';
import { parseIsoDateTime } from '../shared/time';
import { BlobArchiveListing } from '../functions/adapters/blob/blob-archive-listing';
import { storageClients } from '../functions/adapters/storage/storage-clients';
import { createDeps } from '../functions/deps';
import { parseSettings } from '../functions/settings';
import { rebuildIndex } from '../functions/manifests/rebuild-index';

/** Help of `keepwatch-admin rebuild-index`; its first line is the usage the command list shows. */
export const REBUILD_INDEX_HELP = `keepwatch-admin rebuild-index --camera ID [--from ISO] [--to ISO]

Rebuilds the camera's segment index, availability rollup, camera row and manifest hours from the asset manifests and
segment blobs alone (docs/contracts.md "Asset manifests"); prints what it wrote as JSON. --from/--to (ISO 8601 UTC)
limit it to segments starting in [from, to).

Environment: the Function App's storage settings (KEEPWATCH_STORAGE_CONNECTION_STRING or KEEPWATCH_STORAGE__*,
KEEPWATCH_RECORDINGS_CONTAINER, KEEPWATCH_TABLE_PREFIX) and KEEPWATCH_PLAYBACK_TOKEN_SECRET, as the functions read
them (docs/configuration.md).`;

/**
 * `keepwatch-admin rebuild-index` (admin/keepwatch-admin.ts): rebuilds one camera's index rows over the storage the
 * app settings in `env` name, with the functions' own adapters (functions/deps.ts, functions/manifests/rebuild-index.ts).
 * @param args the arguments after the command name
 * @returns the exit code: 0 done, 2 bad usage or settings (nothing written), 1 storage failure (run it again)
 */
export async function runRebuildIndex(args: readonly string[], out: (text: string) => void, err: (text: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    if (args[0] === '--help' || args[0] === '-h') {
      out(`${REBUILD_INDEX_HELP}\n`);
      return 0;
    }
    const { values } = parseArgs({ args: [...args], options: { camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, strict: true, allowPositionals: false });
    if (!values.camera) throw new ValidationError('rebuild-index: --camera ID is required');
    const fromMs = values.from === undefined ? undefined : parseIsoDateTime(values.from, '--from');
    const toMs = values.to === undefined ? undefined : parseIsoDateTime(values.to, '--to');
    if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new ValidationError(`rebuild-index: --to ${values.to} is not after --from ${values.from}`);
    const settings = parseSettings(env);
    const deps = createDeps(settings);
    const archiveListing = new BlobArchiveListing(storageClients(settings.storage).blobService.getContainerClient(settings.recordingsContainer));
    const summary = await rebuildIndex(values.camera, { fromMs, toMs }, { ...deps, archiveListing }, { warn: (...args: unknown[]) => err(`warning: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`) });
    out(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  } catch (e) {
    const usage = e instanceof ValidationError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    err(`keepwatch-admin: ${e instanceof KeepwatchError || e instanceof Error ? e.message : String(e)}\n`);
    return usage ? 2 : 1;
  }
}
