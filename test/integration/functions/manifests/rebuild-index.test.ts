import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { manifests } from '../../../../functions/manifests/manifests';
import { parseSettings, type FunctionsSettings } from '../../../../functions/settings';
import { hourStart } from '../../../../shared/contracts/manifest-naming';
import { HOUR_MS, MINUTE_MS } from '../../../../shared/time';
import { recordRealSegments, uploadAndIngest } from '../../../helpers/archive-fixtures';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { batchContext, TEST_SECRET, tableRows } from '../../../helpers/functions-fixtures';

const ADMIN = path.resolve(__dirname, '../../../../admin/keepwatch-admin.js');

/** Runs the `keepwatch-admin` bin as an operator would, with the app settings in its environment. */
function admin(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ADMIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * `keepwatch-admin rebuild-index`: real segments recorded by ffmpeg, stored and indexed through the real ingest path on
 * Azurite, their hours' manifests written by the manifests timer; then the segment index, availability, cameras and
 * manifests tables are deleted, the bin rebuilds them from Blob alone, and every row comes back as it was.
 */
describe('keepwatch-admin rebuild-index (Azurite, real segments)', () => {
  let azurite: AzuriteInstance;
  let env: Record<string, string>;
  let settings: FunctionsSettings;
  let deps: FunctionsDeps;
  const NOW = Date.now();
  const H0 = hourStart(NOW) - 5 * HOUR_MS;
  let lateStart = 0;

  before(async () => {
    azurite = await startAzurite();
    env = {
      KEEPWATCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
      KEEPWATCH_TABLE_PREFIX: `rb${randomBytes(4).toString('hex')}`,
      KEEPWATCH_RECORDINGS_CONTAINER: `rec-${randomBytes(4).toString('hex')}`,
      KEEPWATCH_MANIFEST_GRACE: 'PT1M',
    };
    settings = parseSettings(env);
    deps = createDeps(settings);
    await deps.ensureStorage();
    // Camera door: three closed hours (one across midnight of its segments' hours), then a manifest for each.
    await uploadAndIngest(deps, 'door', H0 + 10 * MINUTE_MS, recordRealSegments(5));
    await uploadAndIngest(deps, 'door', H0 + 2 * HOUR_MS - 4000, recordRealSegments(4, 10));
    await uploadAndIngest(deps, 'yard', H0 + 30 * MINUTE_MS, recordRealSegments(2, 20), 'dev2');
    const run = await manifests(undefined, batchContext(), deps);
    assert.equal(run.outcomes.written, 4, JSON.stringify(run));
    // A late segment after the hour's manifest: its blob is listed by no manifest.
    lateStart = H0 + 40 * MINUTE_MS;
    await uploadAndIngest(deps, 'door', lateStart, recordRealSegments(1, 25));
  });

  after(async () => {
    await azurite?.stop();
  });

  const tables = () => [settings.tables.segments, settings.tables.availability, settings.tables.cameras, settings.tables.manifests];
  const ofCamera = (cameraId: string) => (row: Record<string, unknown>) => String(row.partitionKey) === cameraId || String(row.partitionKey).startsWith(`${cameraId}_`);
  async function snapshot(cameraId: string): Promise<Record<string, Array<Record<string, unknown>>>> {
    const out: Record<string, Array<Record<string, unknown>>> = {};
    for (const t of tables()) out[t] = (await tableRows(azurite.connectionString, t)).filter(ofCamera(cameraId));
    return out;
  }

  it('bad usage answers 2 and writes nothing', async () => {
    const missing = await admin(['rebuild-index'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--camera ID is required/);
    const bad = await admin(['rebuild-index', '--camera', 'Door!'], env);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal((await admin(['frobnicate'], env)).code, 2);
    assert.equal((await admin(['--help'], env)).code, 0);
  });

  it('after the tables are deleted, the rows come back identical, entity by entity', async () => {
    const before = await snapshot('door');
    assert.equal(before[settings.tables.segments].length, 10);
    // 3 hour rows and the camera's tracking marker (every hour tracked: the manifests timer's backfill finished).
    assert.equal(before[settings.tables.manifests].find((row) => row.rowKey === '~tracked')?.sinceHourMs, 0);
    assert.equal(before[settings.tables.manifests].length, 4);
    for (const t of tables()) await TableClient.fromConnectionString(azurite.connectionString, t, { allowInsecureConnection: true }).deleteTable();
    assert.deepEqual(await tableRows(azurite.connectionString, settings.tables.segments), []);

    const r = await admin(['rebuild-index', '--camera', 'door'], env);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(summary.segments, { fromManifests: 9, fromBlobs: 1 });
    assert.deepEqual(summary.hours, { withManifest: 3, dirty: 1 });
    assert.deepEqual(summary.skipped, []);

    const rebuilt = await snapshot('door');
    for (const t of [settings.tables.availability, settings.tables.cameras, settings.tables.manifests]) assert.deepEqual(rebuilt[t], before[t], t);
    // Segment rows: identical; the late segment no manifest listed has everything back but its event id.
    const lateKey = String(lateStart).padStart(13, '0');
    const strip = (rows: Array<Record<string, unknown>>) => rows.map((row) => (row.rowKey === lateKey ? { ...row, eventId: '(late)' } : row));
    assert.deepEqual(strip(rebuilt[settings.tables.segments]), strip(before[settings.tables.segments]));
    const late = rebuilt[settings.tables.segments].find((row) => row.rowKey === lateKey)!;
    assert.equal(late.eventId, `rebuilt-door-${lateStart}`);
    assert.equal(late.deviceId, 'dev1', 'the device the manifests name');
    // Only door was rebuilt.
    assert.deepEqual((await tableRows(azurite.connectionString, settings.tables.segments)).filter(ofCamera('yard')), []);
  });

  it('rebuilding intact tables changes nothing; --from/--to limit it to a range', async () => {
    const before = await snapshot('door');
    const r = await admin(['rebuild-index', '--camera', 'door', '--from', new Date(H0).toISOString(), '--to', new Date(H0 + HOUR_MS).toISOString()], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).segments, { fromManifests: 5, fromBlobs: 1 });
    assert.deepEqual(await snapshot('door'), before);
  });
});
