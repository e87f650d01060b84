import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import { Agent, type AgentOptions } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { createDeps, type FunctionsDeps } from '../../../functions/deps';
import { ingest } from '../../../functions/ingest/ingest';
import { playback, type PlaybackResponse } from '../../../functions/playback/playback';
import { playlist } from '../../../functions/playback/playlist';
import { parseSettings, type FunctionsSettings } from '../../../functions/settings';
import { startHttpsAzurite, type HttpsAzurite } from '../../helpers/azurite-https';
import { AzuriteTokenCredential } from '../../helpers/azurite-token-credential';
import { sendTo } from '../../helpers/contracts/sas-signer';
import { batchContext, segmentEvent, TEST_SECRET, viaEventGrid } from '../../helpers/functions-fixtures';

/** Every storage request the clients send: method, path and query, and the Authorization header. */
interface SeenRequest {
  method: string;
  path: string;
  authorization: string;
}

/**
 * The storage clients' https agent in this test: trusts the emulator's certificate (`ca`, for these connections only)
 * and records every request it carries. `addRequest` is where an http.Agent receives each request (Node's
 * _http_agent.js; agent-base overrides it the same way).
 */
class RecordingAgent extends Agent {
  readonly seen: SeenRequest[] = [];

  constructor(options: AgentOptions) {
    super({ keepAlive: true, ...options });
  }

  addRequest(req: ClientRequest, options: unknown): void {
    this.seen.push({ method: req.method, path: req.path, authorization: String(req.getHeader('authorization') ?? '') });
    (Agent.prototype as unknown as { addRequest(r: ClientRequest, o: unknown): void }).addRequest.call(this, req, options);
  }

  keyFetches(): number {
    return this.seen.filter((r) => /[?&]comp=userdelegationkey(&|$)/.test(r.path)).length;
  }
}

/** One https request trusting only `ca` (the emulator's certificate); nothing is trusted process-wide. */
const send = sendTo;

const put = (url: string, ca: string, body: Buffer, headers: Record<string, string> = {}) =>
  send(url, ca, { method: 'PUT', body, headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'video/mp2t', 'content-length': String(body.length), ...headers } });

describe('identity-based storage and user-delegation SAS (Azurite over https with --oauth basic)', () => {
  let azurite: HttpsAzurite;
  let settings: FunctionsSettings;
  const credential = new AzuriteTokenCredential();
  const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
  const segment = randomBytes(4096);
  const blobName = segmentBlobName('cam1', T0);

  const depsWith = (agent: RecordingAgent, now?: () => number): FunctionsDeps => createDeps(settings, { now, storage: { credential, agent } });
  const agents: RecordingAgent[] = [];
  const recorder = () => {
    const agent = new RecordingAgent({ ca: azurite.caPem });
    agents.push(agent);
    return agent;
  };

  before(async () => {
    azurite = await startHttpsAzurite();
    // Identity settings only: no connection string, no account key anywhere in the settings.
    settings = parseSettings({
      KEEPWATCH_STORAGE__blobServiceUri: azurite.blobEndpoint,
      KEEPWATCH_STORAGE__tableServiceUri: azurite.tableEndpoint,
      KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
      KEEPWATCH_TABLE_PREFIX: `u${randomBytes(4).toString('hex')}`,
      KEEPWATCH_RECORDINGS_CONTAINER: `ud-${randomBytes(4).toString('hex')}`,
      // As infra/ deploys it: playback URLs are built on the configured base, never the request's Host.
      KEEPWATCH_PUBLIC_BASE_URL: 'https://kw.example',
      KEEPWATCH_OFFLINE_HORIZON: 'P3650D', // fixed dates
    });
  });

  after(async () => {
    for (const agent of agents) agent.destroy();
    await azurite?.stop();
  });

  it('reads the identity settings: https endpoints, the account from the blob URI, DefaultAzureCredential by default', () => {
    assert.deepEqual(settings.storage, {
      kind: 'identity',
      blobServiceUri: azurite.blobEndpoint,
      tableServiceUri: azurite.tableEndpoint,
      accountName: 'devstoreaccount1',
      credential: 'default',
    });
    assert.ok(!JSON.stringify(settings).includes(azurite.accountKey));
  });

  it('uploads through a create-only URL, indexes by ingest, plays back through user-delegation URLs; every request is a bearer token', async () => {
    const rec = recorder();
    const deps = depsWith(rec);
    await deps.ensureStorage();

    // Device side: a create-only URL creates the segment (that it can do nothing else, not even create it twice: the
    // SasSigner contract, test/integration/functions/adapters/blob/user-delegation-sas-signer.contract.test.ts).
    const [createUrl] = await deps.sasSigner.blobCreateUrls([blobName], Date.now() + 60_000);
    assert.equal((await put(createUrl, azurite.caPem, segment, { 'if-none-match': '*' })).status, 201);

    // Cloud side: ingest indexes it (Table Storage through the identity).
    const summary = await ingest([viaEventGrid(segmentEvent({ startMs: T0, bytes: segment.length }))], batchContext(), deps);
    assert.equal(summary.accepted, 1, JSON.stringify(summary));
    const spans = await deps.segmentIndex.listSegmentSpans('cam1', T0, T0 + 10_000);
    assert.deepEqual(spans.map((s) => s.blobName), [blobName]);

    // Playback: the playlist's segment URL is a user-delegation SAS that downloads the segment's bytes.
    const start = new Date(T0).toISOString();
    const end = new Date(T0 + 10_000).toISOString();
    const answer = await playback(new HttpRequest({ method: 'GET', url: `https://kw.example/api/cameras/cam1/playback?start=${start}&end=${end}`, params: { cameraId: 'cam1' } }), batchContext(), deps);
    assert.equal(answer.status, 200, JSON.stringify(answer.jsonBody));
    const { hlsUrl } = answer.jsonBody as PlaybackResponse;
    const list = await playlist(new HttpRequest({ method: 'GET', url: hlsUrl, params: { cameraId: 'cam1' } }), batchContext(), deps);
    assert.equal(list.status, 200, String(list.body));
    const urls = String(list.body).split('\n').filter((l) => l.startsWith('https://'));
    assert.equal(urls.length, 1);
    const q = new URL(urls[0]).searchParams;
    assert.deepEqual([q.get('sp'), q.get('sr'), q.get('spr'), q.get('sv'), q.get('skoid'), q.get('sktid')], ['r', 'b', 'https', '2025-11-05', credential.objectId, credential.tenantId]);
    const got = await send(urls[0], azurite.caPem);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(segment), 'the stored bytes');

    // The MP4 export's reader and retention's batch delete go through the identity too.
    const read: Uint8Array[] = [];
    for await (const chunk of deps.segmentReader.readSegment(blobName)) read.push(chunk);
    assert.ok(Buffer.concat(read).equals(segment));
    const doomed = segmentBlobName('cam1', T0 - 10_000);
    const [doomedCreate] = await deps.sasSigner.blobCreateUrls([doomed], Date.now() + 60_000);
    assert.equal((await put(doomedCreate, azurite.caPem, Buffer.from('expired segment'), { 'if-none-match': '*' })).status, 201);
    assert.deepEqual(await deps.segmentBlobs.deleteBlobs([doomed]), { deleted: 1, missing: 0 });
    const [doomedRead] = await deps.sasSigner.blobReadUrls([doomed], Date.now() + 60_000);
    assert.equal((await send(doomedRead, azurite.caPem)).status, 404, 'deleted by the batch');

    assert.ok(rec.seen.length > 10, `${rec.seen.length} requests seen`);
    const notBearer = rec.seen.filter((r) => !r.authorization.startsWith('Bearer '));
    assert.deepEqual(notBearer, [], 'no shared key, no SAS: every request of the functions carries an Entra ID token');
  });

  // That a read URL reads its own blob only (not another, no overwrite, create, delete or list) and is refused once
  // expired: the SasSigner contract, test/integration/functions/adapters/blob/user-delegation-sas-signer.contract.test.ts.
  it('a read URL is refused when tampered with: signature, expiry or permissions altered', async () => {
    const deps = depsWith(recorder());
    const [readUrl] = await deps.sasSigner.blobReadUrls([blobName], Date.now() + 60_000);
    assert.equal((await send(readUrl, azurite.caPem)).status, 200);

    const tampered = new URL(readUrl);
    const sig = tampered.searchParams.get('sig')!;
    tampered.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    assert.equal((await send(tampered.href, azurite.caPem)).status, 403, 'altered signature');
    const longer = new URL(readUrl);
    longer.searchParams.set('se', new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.equal((await send(longer.href, azurite.caPem)).status, 403, 'altered expiry');
    const widened = new URL(readUrl);
    widened.searchParams.set('sp', 'rcwd');
    assert.equal((await put(widened.href, azurite.caPem, Buffer.from('overwrite'))).status, 403, 'altered permissions');
    assert.equal((await send(readUrl, azurite.caPem)).status, 200, 'the URL as signed still works');
  });

  it('fetches one user delegation key for many playlists, concurrent or not, and renews it before it gets too short', async () => {
    let nowMs = Date.now();
    const rec = recorder();
    const deps = depsWith(rec, () => nowMs);
    const names = Array.from({ length: 50 }, (_, i) => segmentBlobName('cam2', T0 + i * 10_000));
    const ttl = deps.settings.segmentSasTtlMs;

    // The blobs, uploaded as the agent does (create-only URLs, from another client so this one's key count stays its
    // own): ingest checks each event against its blob (functions/ingest/ingest-device-claims.ts).
    const uploads = await depsWith(recorder()).sasSigner.blobCreateUrls(names, Date.now() + 60_000);
    for (const u of uploads) assert.equal((await put(u, azurite.caPem, Buffer.alloc(1000), { 'if-none-match': '*', 'x-ms-meta-sha256': 'a'.repeat(64) })).status, 201);

    // Ten playlists of 50 segments (5 at once, then 5 one after another), then a batch of device create URLs.
    const events = names.map((_, i) => viaEventGrid(segmentEvent({ cameraId: 'cam2', startMs: T0 + i * 10_000 })));
    assert.equal((await ingest(events, batchContext(), deps)).accepted, names.length);
    const range = `start=${new Date(T0).toISOString()}&end=${new Date(T0 + names.length * 10_000).toISOString()}`;
    const answer = await playback(new HttpRequest({ method: 'GET', url: `https://kw.example/api/cameras/cam2/playback?${range}`, params: { cameraId: 'cam2' } }), batchContext(), deps);
    const { hlsUrl } = answer.jsonBody as PlaybackResponse;
    const openPlaylist = async () => {
      const res = await playlist(new HttpRequest({ method: 'GET', url: hlsUrl, params: { cameraId: 'cam2' } }), batchContext(), deps);
      assert.equal(res.status, 200, String(res.body));
      return String(res.body).split('\n').filter((l) => l.startsWith('https://')).length;
    };
    assert.deepEqual(await Promise.all(Array.from({ length: 5 }, openPlaylist)), [50, 50, 50, 50, 50]);
    for (let i = 0; i < 5; i++) assert.equal(await openPlaylist(), 50);
    await deps.sasSigner.blobCreateUrls(names, nowMs + 60_000);
    assert.equal(rec.keyFetches(), 1, 'one key for 10 playlists and a create batch');

    // The key lives 6 h (KEY_MIN_LIFETIME_MS; 2 × the 1 h TTL is less): reused while ≥ 1 h of it remains.
    nowMs += 5 * 3_600_000 - 60_000; // key start was 5 min before the first batch: 1 h 4 min remain
    await deps.sasSigner.blobReadUrls(names, nowMs + ttl);
    assert.equal(rec.keyFetches(), 1, 'still long enough');
    nowMs += 5 * 60_000; // 59 min remain: shorter than the 1 h URLs it is asked for
    const [url] = await deps.sasSigner.blobReadUrls(names, nowMs + ttl);
    assert.equal(rec.keyFetches(), 2, 'renewed early');
    const q = new URL(url).searchParams;
    assert.ok(Date.parse(q.get('ske')!) >= Date.parse(q.get('se')!), 'the key outlives the URL');

    // A URL longer than the cached key covers triggers a fetch right away; the new key lives twice that long...
    const DAY = 86_400_000;
    const keyLifetime = (url: string) => Date.parse(new URL(url).searchParams.get('ske')!) - nowMs;
    const [days2] = await deps.sasSigner.blobReadUrls(names.slice(0, 1), nowMs + 2 * DAY);
    assert.equal(rec.keyFetches(), 3);
    assert.equal(Date.parse(new URL(days2).searchParams.get('se')!), Math.ceil((nowMs + 2 * DAY) / 1000) * 1000);
    assert.ok(keyLifetime(days2) > 4 * DAY - 1000 && keyLifetime(days2) <= 4 * DAY, String(keyLifetime(days2)));
    // ...but at most 7 days less a 5-minute clock margin (Get User Delegation Key's limit).
    const [days5] = await deps.sasSigner.blobReadUrls(names.slice(0, 1), nowMs + 5 * DAY);
    assert.equal(rec.keyFetches(), 4);
    assert.ok(keyLifetime(days5) > 7 * DAY - 300_000 - 1000 && keyLifetime(days5) <= 7 * DAY - 300_000, String(keyLifetime(days5)));
  });
});
