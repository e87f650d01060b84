import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createDeps, type FunctionsDeps } from '../../functions/deps';
import { ingest } from '../../functions/ingest/ingest';
import { decodeIngestMessage } from '../../functions/ingest/ingest-decode';
import { checkDeviceClaims } from '../../functions/ingest/ingest-device-claims';
import type { FunctionsSettings } from '../../functions/settings';
import { segmentBlobName } from '../../shared/contracts/blob-naming';
import { ID_PATTERN } from '../../shared/ids';
import { startAzurite, type AzuriteInstance } from '../helpers/azurite';
import { checkProperty, hostileInput, type Json } from '../helpers/fuzz';
import { storeClaimedBlobs } from '../helpers/segment-blob-fixtures';
import { batchContext, forwardedByEventGrid, segmentEvent, tableRows, testSettings, viaEventGrid } from '../helpers/functions-fixtures';

/**
 * Fuzzing (docs/security.md): device event batches through the ingest function (functions/ingest/ingest-decode.ts + ingest.ts)
 * on real Azurite. Properties: ingest never throws for bad input (every bad message becomes a dead letter, the rest of
 * the batch goes on), no unhandled rejection, and nothing is indexed for a message the decoder refused; what is indexed
 * names valid ids and the canonical blob name.
 */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const VALID = forwardedByEventGrid(segmentEvent({ startMs: T0 })) as Json;
const VALID_ROUTED = viaEventGrid(segmentEvent({ startMs: T0 + 10_000 })) as Json;

type Form = 'object' | 'string' | 'bytes';
/** A message as the Functions host may deliver it: the parsed object, the JSON text, or its bytes. */
function inForm(value: unknown, form: Form): unknown {
  if (form === 'object') return value;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value); // bigint, cycles, no prototype: the host could never deliver them as text
  }
  return form === 'string' ? text : Buffer.from(text);
}
const form = fc.constantFrom<Form>('object', 'string', 'bytes');

describe('fuzz: ingest on Azurite', () => {
  let azurite: AzuriteInstance;
  let s: FunctionsSettings;
  let deps: FunctionsDeps;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  before(async () => {
    azurite = await startAzurite();
    s = testSettings(azurite.connectionString);
    deps = createDeps(s);
    // The blobs the valid events claim: a mutation that changes a claim (size, hash, time) is dead-lettered against them.
    await storeClaimedBlobs(s, [VALID, VALID_ROUTED, ...Array.from({ length: 100 }, (_, k) => segmentEvent({ startMs: T0 + 3_600_000 + k * 10_000 }))]);
    process.on('unhandledRejection', onRejection);
  });
  after(async () => {
    process.off('unhandledRejection', onRejection);
    await azurite?.stop();
  });

  async function segmentRows() {
    return tableRows(azurite.connectionString, s.tables.segments);
  }

  it('random JSON, random text and random bytes: every message dead-lettered, nothing indexed', async () => {
    const garbage = fc.oneof(
      fc.tuple(fc.jsonValue(), form).map(([v, f]) => inForm(v, f)),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
      fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true }),
    );
    const before = (await segmentRows()).length;
    await checkProperty('ingest-garbage', fc.asyncProperty(fc.array(garbage, { minLength: 1, maxLength: 5 }), async (batch) => {
      const summary = await ingest(batch, batchContext(), deps);
      assert.equal(summary.accepted, 0);
      assert.equal(summary.deadLettered + summary.ignored, batch.length);
      assert.deepEqual(rejections, []);
    }));
    assert.equal((await segmentRows()).length, before);
  });

  it('mutated valid events (forwarded and routed by Event Grid, in every form): refused ones dead-lettered, accepted ones sound', async () => {
    const message = fc.tuple(fc.oneof(hostileInput(VALID), hostileInput(VALID_ROUTED)), form).map(([v, f]) => inForm(v, f));
    const expectedRows = new Set((await segmentRows()).map((r) => `${r.cameraId}/${r.startMs}`));
    await checkProperty('ingest-mutated', fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 4 }), async (batch) => {
      const decoded = batch.map((m) => decodeIngestMessage(m));
      // The oracle: the decoder, then the claims check against the stored blobs (functions/ingest/ingest-device-claims.ts).
      const checked = await checkDeviceClaims(decoded, deps);
      const summary = await ingest(batch, batchContext(), deps);
      assert.equal(summary.deadLettered, checked.filter((d) => d.ok === false).length);
      for (const d of checked) {
        if (d.ok === true && d.event.kind === 'segment.uploaded') expectedRows.add(`${d.event.segment.cameraId}/${d.event.segment.startMs}`);
      }
      assert.deepEqual(rejections, []);
    }));
    for (const row of await segmentRows()) {
      assert.ok(expectedRows.has(`${row.cameraId}/${row.startMs}`), `row ${row.partitionKey}/${row.rowKey} comes from an accepted event`);
      assert.match(String(row.cameraId), ID_PATTERN);
      assert.match(String(row.deviceId), ID_PATTERN);
      assert.equal(row.blobName, segmentBlobName(String(row.cameraId), Number(row.startMs)));
    }
  });

  it('random topics and senders (routing enrichments) under a valid event: only dev1 publishing on keepwatch/dev1/events/cam1 is indexed', async () => {
    const level = fc.oneof(fc.constantFrom('keepwatch', 'dev1', 'dev2', 'events', 'cam1', 'status', 'signals', 'commands', '+', '#', '', '..', 'DEV1', 'dev1 '), fc.string({ maxLength: 6 }));
    const topic = fc.oneof(fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/')), fc.string({ maxLength: 60 }), fc.constant('keepwatch/dev1/events/cam1'));
    const sender = fc.oneof(fc.constantFrom('dev1', 'dev2', 'DEV1', 'dev1 ', ''), fc.string({ maxLength: 8 }), fc.constant(null));
    const routedOrForwarded = fc.boolean();
    let n = 0;
    await checkProperty('ingest-topics', fc.asyncProperty(topic, sender, routedOrForwarded, form, async (t, who, routed, f) => {
      const inner = segmentEvent({ startMs: T0 + 3_600_000 + (n++ % 100) * 10_000 });
      const message = routed ? viaEventGrid(inner, { topic: t, sender: who }) : who === null ? inner : forwardedByEventGrid(inner, { topic: t, sender: who });
      const summary = await ingest([inForm(message, f)], batchContext(), deps);
      const status = /^keepwatch\/([a-z0-9-]{1,32})\/status$/.exec(t);
      const expected = t === 'keepwatch/dev1/events/cam1' && who === 'dev1' ? 'accepted' : status && who === status[1] ? 'ignored' : 'deadLettered';
      assert.equal(summary[expected], 1, `${JSON.stringify(t)} by ${JSON.stringify(who)} (${routed ? 'routed' : 'forwarded'}) → ${JSON.stringify(summary)}`);
      assert.deepEqual(rejections, []);
    }));
  });
});
