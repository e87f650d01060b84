#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { KeepwatchError, ValidationError } from '../../shared/errors';
import { parseIsoDateTime } from '../../shared/time';
import { BlobArchiveListing } from '../adapters/blob/blob-archive-listing';
import { storageClients } from '../adapters/storage/storage-clients';
import { createDeps } from '../deps';
import { parseSettings } from '../settings';
import { rebuildIndex } from './rebuild-index';

const HELP = `keepwatch-admin — operator commands over a Keepwatch deployment's storage

Usage: keepwatch-admin rebuild-index --camera ID [--from ISO] [--to ISO]

rebuild-index   rebuilds the camera's segment index, availability rollup, camera row and manifest hours from the
                asset manifests and segment blobs alone (docs/contracts.md "Asset manifests"); prints what it wrote
                as JSON. --from/--to (ISO 8601 UTC) limit it to segments starting in [from, to).

Environment: the Function App's storage settings (KEEPWATCH_STORAGE_CONNECTION_STRING or KEEPWATCH_STORAGE__*,
KEEPWATCH_RECORDINGS_CONTAINER, KEEPWATCH_TABLE_PREFIX) and KEEPWATCH_PLAYBACK_TOKEN_SECRET, as the functions read
them (docs/configuration.md).`;

/**
 * `keepwatch-admin` (package.json `bin`): runs one admin command over the storage the app settings in `env` name,
 * with the functions' own adapters (functions/deps.ts).
 * @param argv the arguments after the program name
 * @returns the exit code: 0 done, 2 bad usage or settings (nothing written), 1 storage failure (run it again)
 */
export async function runAdmin(argv: readonly string[], env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h') {
      out(`${HELP}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'rebuild-index') throw new ValidationError(`unknown command '${command}' (see --help)`);
    const { values } = parseArgs({ args: [...rest], options: { camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, strict: true, allowPositionals: false });
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

if (require.main === module) {
  void runAdmin(process.argv.slice(2), process.env, (t) => process.stdout.write(t), (t) => process.stderr.write(t)).then((code) => process.exit(code));
}
