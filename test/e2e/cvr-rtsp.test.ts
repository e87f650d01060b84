import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import mqtt from 'mqtt';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { segmentBlobName } from '../../shared/contracts/blob-naming';
import { agentSegments } from '../helpers/e2e';
import { makeSelfSignedCert, type TestCert } from '../helpers/openssl-certs';
import { findSecretLeaks, urlSecrets } from '../helpers/secret-leaks';
import { until, waitFor } from '../helpers/wait';
import { decodeFully } from '../helpers/ffmpeg';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';

/**
 * How long the camera is recorded (at least 40 s). The recorded span is shorter by the session's start (connect and
 * probe, about 2 s) and by where in the camera's GOP the session joins (the packets before the first keyframe are
 * dropped): 37.9 – 38.9 s of 42 s were measured, so 44 s leaves the ≥ 38 s check a margin that only a lost segment
 * (4 s) eats.
 */
const RECORD_MS = 44_000;
const SEGMENT_LENGTH = 'PT4S';
const CAMERA = 'cam-e2e';
/** A door sensor on the broker (signals over MQTT), so its password is one of the run's secrets. */
const DOOR_SENSOR = { user: 'door-sensor', password: randomBytes(18).toString('base64url') };


describe('CVR end to end: real RTSP camera → agent → cache → Blob → index → signed HLS', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  const printed: string[] = [];
  /** Every response body and URL the run handed out (playback URLs, playlists): their signatures are secrets. */
  const handedOut: string[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kw-e2e-'));

  /** Made with openssl in before(): the broker's TLS certificate, the device's, and one the broker does not know. */
  const certs: Record<'broker' | 'device' | 'stranger', TestCert> = {} as never;

  before(async () => {
    // The agent authenticates as Event Grid wants it: X.509 client certificate, thumbprint registered, no password.
    for (const name of ['broker', 'device', 'stranger'] as const) certs[name] = makeSelfSignedCert(dataDir, name);
    rtsp = await startRtspServer({ mounts: { '/person': mediaPath('one-by-one-person-detection.mp4') } });
    stack = await startLocalStack({
      dataDir,
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: CAMERA, url: rtsp.urls['/person'] }],
      segmentLength: SEGMENT_LENGTH,
      agentLogLevel: 'debug',
      // Every line of the host, feeder and broker too, for the secrets check below.
      debugLogs: true,
      deviceCertificate: {
        certFile: certs.device.certFile,
        keyFile: certs.device.keyFile,
        thumbprint: certs.device.thumbprint,
        brokerKeyFile: certs.broker.keyFile,
        brokerCertFile: certs.broker.certFile,
      },
      signalPublishers: { [DOOR_SENSOR.user]: { password: DOOR_SENSOR.password, topics: [`keepwatch/local-device/signals/${CAMERA}`] } },
      print: (l) => printed.push(l),
    });
  });

  after(async () => {
    await stack?.stop();
    await rtsp?.stop();
  });

  it('records ≥ 40 s, stores every segment once, indexes them without gap or overlap, and plays them back', async () => {
    await new Promise((r) => setTimeout(r, RECORD_MS));
    // Stop the agent as an operator would: it closes and uploads its last segment first.
    const exited = new Promise((r) => stack.agent.once('exit', r));
    stack.agent.kill('SIGTERM');
    await exited;

    const produced = agentSegments(stack, CAMERA);
    assert.ok(produced.length >= 9, `expected ≥ 9 segments of ${SEGMENT_LENGTH} in ${RECORD_MS} ms, got ${produced.length}\n${printed.slice(-20).join('\n')}`);
    const firstStart = produced[0].startMs;
    const last = produced[produced.length - 1];
    const lastEnd = last.startMs + last.durationMs;
    assert.ok(lastEnd - firstStart >= 38_000, `recorded span ${lastEnd - firstStart} ms`);

    // Times are UTC and on the wall clock: a segment is complete (logged) when its end has passed.
    for (const s of produced) {
      const lag = s.loggedAtMs - (s.startMs + s.durationMs);
      assert.ok(Math.abs(lag) <= 1000, `segment ${new Date(s.startMs).toISOString()} is ${lag} ms off the wall clock`);
    }

    // The index reaches the last segment (events go agent → broker → Event Hubs batch → ingest).
    const headers = { 'x-functions-key': stack.apiKey };
    await waitFor('the last segment in the index', 15_000, async () => {
      const body = (await (await fetch(`${stack.apiBase}/cameras`, { headers })).json()) as { cameras: Array<{ id: string; lastRecorded?: string }> };
      const cam = body.cameras.find((c) => c.id === CAMERA);
      return cam?.lastRecorded && Date.parse(cam.lastRecorded) >= lastEnd ? true : undefined;
    });
    // What the camera sends: the session's stream info, from the agent's session-established diagnostics.
    const listed = (await (await fetch(`${stack.apiBase}/cameras`, { headers })).json()) as { cameras: Array<{ id: string; stream?: { video: unknown; audio: unknown; since: string } }> };
    const stream = listed.cameras.find((c) => c.id === CAMERA)?.stream;
    assert.deepEqual(stream && { video: stream.video, audio: stream.audio }, { video: { codec: 'h264', profile: 'Main', widthPx: 768, heightPx: 432, fps: 10 }, audio: null }, 'the clip: H.264 Main 768x432 10 fps, no audio');
    assert.ok(stream && Date.parse(stream.since) <= lastEnd, `stream since ${stream?.since}`);

    // Blob: exactly the agent's segments, byte for byte in size, under their canonical UTC names.
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient(stack.container);
    const blobs = new Map<string, number>();
    for await (const b of container.listBlobsFlat({ prefix: `${CAMERA}/` })) blobs.set(b.name, b.properties.contentLength ?? -1);
    assert.equal(blobs.size, produced.length, 'one blob per recorded segment');
    for (const s of produced) {
      const name = segmentBlobName(CAMERA, s.startMs);
      assert.match(name, /Z\.ts$/);
      assert.equal(blobs.get(name), s.bytes, `blob ${name} has the bytes ffmpeg wrote`);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.equal(sum([...blobs.values()]), sum(produced.map((s) => s.bytes)));

    // Index: one row per segment, contiguous (no overlap, no gap).
    const table = TableClient.fromConnectionString(stack.connectionString, 'kwSegments', { allowInsecureConnection: true });
    const rows: Array<{ startMs: number; durationMs: number }> = [];
    const sha256ByBlob = new Map<string, string>();
    for await (const e of table.listEntities<{ startMs: number; durationMs: number; blobName: string; sha256: string }>({ queryOptions: { filter: `PartitionKey ge '${CAMERA}_' and PartitionKey le '${CAMERA}_9999'` } })) {
      rows.push({ startMs: Number(e.startMs), durationMs: Number(e.durationMs) });
      sha256ByBlob.set(e.blobName, e.sha256);
    }
    rows.sort((a, b) => a.startMs - b.startMs);
    assert.deepEqual(rows, produced.map((s) => ({ startMs: s.startMs, durationMs: s.durationMs })));
    // Each row's SHA-256 is the stored blob's: the index describes exactly the bytes that were uploaded.
    for (const name of blobs.keys()) {
      const stored = await container.getBlockBlobClient(name).downloadToBuffer();
      assert.equal(sha256ByBlob.get(name), createHash('sha256').update(stored).digest('hex'), `index row of ${name} has the blob's SHA-256`);
    }
    for (let i = 1; i < rows.length; i++) assert.equal(rows[i].startMs, rows[i - 1].startMs + rows[i - 1].durationMs, `row ${i} abuts row ${i - 1}`);

    // Playback: a signed HLS URL that a plain player (ffmpeg) decodes end to end.
    const q = new URLSearchParams({ start: new Date(firstStart).toISOString(), end: new Date(lastEnd).toISOString() });
    const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}/playback?${q}`, { headers });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { hlsUrl: string; expiresAt: string; ranges: Array<{ start: string; end: string }> };
    handedOut.push(body.hlsUrl);
    assert.deepEqual(body.ranges, [{ start: new Date(firstStart).toISOString(), end: new Date(lastEnd).toISOString() }]);
    assert.ok(Date.parse(body.expiresAt) > Date.now());
    const playlist = await (await fetch(body.hlsUrl)).text();
    handedOut.push(playlist);
    assert.match(playlist, /#EXT-X-ENDLIST/);
    assert.doesNotMatch(playlist, /#EXT-X-DISCONTINUITY/, 'one continuous session has no discontinuity');
    assert.equal((playlist.match(/#EXTINF/g) ?? []).length, produced.length);
    const decoded = await decodeFully(body.hlsUrl);
    assert.equal(decoded.code, 0);
    assert.deepEqual(decoded.errors, [], 'ffmpeg decodes the playlist without errors');
    const spanS = (lastEnd - firstStart) / 1000;
    const longestSegmentS = Math.max(...produced.map((s) => s.durationMs)) / 1000;
    assert.ok(Math.abs(decoded.decodedS - spanS) <= longestSegmentS, `decoded ${decoded.decodedS} s of a ${spanS} s span`);

    // The agent's cache is empty: uploaded segments leave it (CVR), the last one included.
    assert.ok(!printed.some((l) => /incomplete segment left/.test(l)), 'the last segment was closed and uploaded');
    const cacheDir = path.join(dataDir, 'cache', CAMERA);
    assert.ok(existsSync(cacheDir), `the camera's cache folder ${cacheDir} was used`);
    assert.deepEqual(readdirSync(cacheDir), [], 'no segment is left in the cache');

    // docs/devices.md: the agent held neither a storage key nor the API key; it uploaded through create-only URLs the
    // cloud signed for its device secret, and neither the secret nor a SAS signature reached a log.
    const agentConfig = JSON.parse(readFileSync(path.join(dataDir, 'agent.json'), 'utf8')) as { upload: Record<string, string> };
    assert.deepEqual(Object.keys(agentConfig.upload).sort(), ['apiUrl', 'container', 'deviceSecret']);
    assert.equal(agentConfig.upload.apiUrl, stack.apiBase);
    const log = [...printed, ...stack.agentLog].join('\n');
    assert.ok(printed.some((l) => /upload urls signed/.test(l)), 'the host signed upload URLs for the agent');
    assert.ok(!log.includes(stack.deviceSecret), 'the device secret is never logged');
    assert.doesNotMatch(log, /[?&]sig=(?!\*\*\*)/, 'no SAS signature in the logs');
    assert.doesNotMatch(log, /AccountKey=(?!\*\*\*)/, 'no account key in the logs');
  });

  it('no log line of the run holds a secret: API key, playback token secret, storage key, MQTT passwords, SAS and playback signatures (docs/security.md)', async () => {
    // Also in the run: a device login with a wrong password, API calls with a wrong key and with the key in the
    // `code` query, and a signal over HTTP and over MQTT. Their refusals are logged; the secrets they carried are not.
    const wrongPassword = randomBytes(18).toString('base64url');
    await assert.rejects(mqtt.connectAsync(stack.mqttUrl, { protocolVersion: 4, clientId: stack.deviceId, username: stack.deviceId, password: wrongPassword, reconnectPeriod: 0 }), /Bad username or password/);
    await assert.rejects(
      mqtt.connectAsync(stack.mqttTlsUrl!, { protocolVersion: 4, clientId: stack.deviceId, username: stack.deviceId, cert: certs.stranger.cert, key: certs.stranger.key, ca: certs.broker.cert, reconnectPeriod: 0 }),
      /Bad username or password/,
    );
    const wrongKey = randomBytes(24).toString('base64url');
    assert.equal((await fetch(`${stack.apiBase}/cameras`, { headers: { 'x-functions-key': wrongKey } })).status, 401);
    assert.equal((await fetch(`${stack.apiBase}/cameras?code=${encodeURIComponent(wrongKey)}`)).status, 401);
    assert.equal((await fetch(`${stack.apiBase}/cameras?code=${encodeURIComponent(stack.apiKey)}`)).status, 200);
    const signal = await fetch(`${stack.apiBase}/cameras/${CAMERA}/signals?code=${encodeURIComponent(stack.apiKey)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'door', label: 'front door' }),
    });
    assert.ok(signal.status < 500, `HTTP signal: ${signal.status} ${await signal.text()}`);
    // The stack's development issuer: a scoped viewer's token (client credentials over HTTP) sees the camera; a token
    // with a wrong signature is refused. Neither token may appear in a log line.
    const issuer = stack.devIssuer!;
    const tokenRes = await fetch(`${issuer.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: `${CAMERA}-viewer`, client_secret: issuer.clientSecret }) });
    const bearer = ((await tokenRes.json()) as { access_token: string }).access_token;
    const seen = (await (await fetch(`${stack.apiBase}/cameras`, { headers: { authorization: `Bearer ${bearer}` } })).json()) as { cameras: Array<{ id: string }> };
    assert.deepEqual(seen.cameras.map((c) => c.id), [CAMERA]);
    const badBearer = `${bearer.slice(0, bearer.lastIndexOf('.'))}.${randomBytes(256).toString('base64url')}`;
    assert.equal((await fetch(`${stack.apiBase}/cameras`, { headers: { authorization: `Bearer ${badBearer}` } })).status, 401);
    const door = await mqtt.connectAsync(stack.mqttUrl, { protocolVersion: 4, clientId: 'door-1', username: DOOR_SENSOR.user, password: DOOR_SENSOR.password, reconnectPeriod: 0 });
    await door.publishAsync(`keepwatch/local-device/signals/${CAMERA}`, JSON.stringify({ type: 'door', label: 'back door' }), { qos: 1 });
    await door.endAsync();
    const later = await fetch(`${stack.apiBase}/cameras/${CAMERA}/playback?${new URLSearchParams({ start: new Date(Date.now() - 30_000).toISOString(), end: new Date().toISOString() })}`, { headers: { 'x-functions-key': stack.apiKey } });
    handedOut.push(await later.text());
    await until('the door signal handed to ingest', 10_000, () => printed.some((l) => /\[broker\] MQTT client connected .*user=door-sensor/.test(l)));

    // Everything is logged once the stack has stopped (the feeder flushes its last batch).
    await stack.stop();
    const logs = [...printed, ...stack.agentLog];
    // The capture really holds each part's lines, debug included, and the refusals.
    assert.ok(logs.some((l) => /\[broker\] MQTT client refused at CONNECT.*method=password/.test(l)), 'the broker logged the failed password login');
    assert.ok(logs.some((l) => /\[broker\] MQTT client refused at CONNECT.*method=certificate/.test(l)), 'the broker logged the failed certificate login');
    assert.ok(logs.some((l) => /\[broker\] MQTT client connected .*user=local-device role=device method=certificate/.test(l)), 'the agent connected by its certificate');
    assert.ok(logs.some((l) => /\[functions-host\] http request .*status=401/.test(l)), "the host's debug request lines are captured");
    assert.ok(stack.agentLog.some((l) => /"component":"uploader"/.test(l)), "the agent's lines are captured");

    // One list of secrets: the stack's own (local/stack.ts `secrets`; add new kinds there), what this run tried, and
    // every signature of a URL it handed out.
    const sasSecrets = urlSecrets(handedOut);
    assert.ok(sasSecrets.filter((x) => x.name.startsWith('sig=')).length >= 2, `the playback URL and segment SAS signatures were collected: ${sasSecrets.map((x) => x.name).join(', ')}`);
    const secrets = [
      ...stack.secrets,
      { name: 'MQTT password of door sensor (this test)', value: DOOR_SENSOR.password },
      { name: 'wrong device password tried', value: wrongPassword },
      { name: 'wrong API key tried', value: wrongKey },
      { name: 'bearer token of the development issuer (signature)', value: bearer.slice(bearer.lastIndexOf('.') + 1) },
      { name: 'forged bearer token tried (signature)', value: badBearer.slice(badBearer.lastIndexOf('.') + 1) },
      { name: 'private key of the unknown certificate tried (PEM)', value: certs.stranger.key.trim() },
      ...sasSecrets,
    ];
    assert.ok(stack.secrets.length >= 5 && stack.secrets.some((x) => /private key of device/.test(x.name)), stack.secrets.map((x) => x.name).join(', '));
    // The detector finds a secret in each form it could be written in (so an empty result means something).
    for (const planted of [stack.apiKey, encodeURIComponent(sasSecrets[0].value), JSON.stringify(`k=${sasSecrets[0].value}`)]) {
      assert.equal(findSecretLeaks([`x ${planted} y`], [sasSecrets[0], { name: 'API key', value: stack.apiKey }]).length, 1, 'detector self-check');
    }
    assert.deepEqual(findSecretLeaks(logs, secrets), []);
  });
});
