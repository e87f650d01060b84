import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { atBitrate, estimateCost, formatCostTables, formatCounts, type CameraHourCounts } from '../../../bench/cost-model';
import { UNIT_PRICES, formatPriceRows } from '../../../bench/cost-prices';
import { COST_ASSUMPTIONS, COST_FLEETS, REFERENCE_BITRATE } from '../../../bench/deploy-cost';

/** docs/deploy.md at the repository root (this file runs from dist/test/unit/bench/). */
const DEPLOY_MD = path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'deploy.md');

const ZERO: CameraHourCounts = {
  segments: 0,
  blob: { write: 0, list: 0, read: 0, other: 0, delete: 0, batch: 0 },
  blobBytes: 0,
  tableTransactions: 0,
  tableBytes: 0,
  functionExecutions: 0,
  ingestExecutions: 0,
  functionActiveSeconds: 0,
  deviceEvents: 0,
  deviceEventBytes: 0,
  integrationEvents: 0,
  mqttPublishesIn: 0,
  mqttDeliveriesOut: 0,
  logLines: 0,
  logBytes: 0,
};

const row = (counts: CameraHourCounts, prefix: string) => {
  const r = estimateCost(counts, UNIT_PRICES, COST_ASSUMPTIONS, COST_FLEETS).perCamera.find((x) => x.resource.startsWith(prefix));
  assert.ok(r, `a row starting with ${prefix}`);
  return r;
};

describe('cost model: counts per camera-hour × unit prices (docs/deploy.md "Cost per camera-month")', () => {
  it('keeps 7 days of one hour of segments: 1 GiB-month when an hour adds 1/168 GiB', () => {
    const r = row({ ...ZERO, blobBytes: 1024 ** 3 / 168 }, 'Blob capacity');
    assert.ok(Math.abs(r.quantity - 1) < 1e-12);
    assert.ok(Math.abs(r.usd - UNIT_PRICES.blobCapacityGbMonth.usd) < 1e-12);
  });

  it('adds a checkpoint write per ingest batch and a retention journal write per 1,024 segments to the uploads', () => {
    const r = row({ ...ZERO, segments: 360, blob: { ...ZERO.blob, write: 360 }, ingestExecutions: 360 }, 'Blob write operations');
    assert.equal(r.quantity, (360 + 360 + 360 / 1024) * 730);
    assert.ok(Math.abs(r.usd - ((360 + 360 + 360 / 1024) * 730 * 0.05) / 1e4) < 1e-12);
  });

  it('prices retention deletes at zero but counts them, one per segment', () => {
    const r = row({ ...ZERO, segments: 360 }, 'Blob deletes');
    assert.deepEqual([r.quantity, r.usd], [360 * 730, 0]);
  });

  it('bills executions per million and active time in GB-s of a 2 GB instance', () => {
    const counts = { ...ZERO, functionExecutions: 360, functionActiveSeconds: 10 };
    assert.ok(Math.abs(row(counts, 'Function executions').usd - (262_800 / 1e6) * 0.4) < 1e-12);
    const t = row(counts, 'Function execution time');
    assert.equal(t.quantity, 14_600);
    assert.ok(Math.abs(t.usd - 14_600 * 0.000026) < 1e-12);
  });

  it('bills Event Hubs ingress in 64 KB units: a 100 KB event is two', () => {
    assert.equal(row({ ...ZERO, deviceEvents: 10, deviceEventBytes: 10 * 500 }, 'Event Hubs').quantity, 10 * 730);
    assert.equal(row({ ...ZERO, deviceEvents: 10, deviceEventBytes: 10 * 100 * 1024 }, 'Event Hubs').quantity, 20 * 730);
    assert.equal(row({ ...ZERO, integrationEvents: 3 }, 'Event Hubs').quantity, 3 * 730);
  });

  it('counts each routed device event twice on the custom topic (ingress and delivery)', () => {
    assert.equal(row({ ...ZERO, deviceEvents: 100 }, 'Event Grid routing').quantity, 200 * 730);
  });

  it('shares the fixed Event Hubs and Event Grid throughput units among the fleet', () => {
    const e = estimateCost(ZERO, UNIT_PRICES, COST_ASSUMPTIONS, [10, 100]);
    assert.ok(Math.abs(e.fixedTotalUsd - (0.03 + 0.04) * 730) < 1e-9);
    assert.deepEqual(e.fleets.map((f) => f.cameras), [10, 100]);
    assert.ok(Math.abs(e.fleets[0].fixedShareUsd - e.fixedTotalUsd / 10) < 1e-12);
    assert.ok(Math.abs(e.fleets[1].totalPerCameraUsd - (e.perCameraTotalUsd + e.fixedTotalUsd / 100)) < 1e-12);
  });

  it('changes only the stored bytes for another bit rate', () => {
    const c = { ...ZERO, segments: 360, blob: { ...ZERO.blob, write: 360 }, blobBytes: 1 };
    const b = atBitrate(c, 2_000_000);
    assert.equal(b.blobBytes, 900_000_000);
    assert.deepEqual({ ...b, blobBytes: 1 }, c);
  });

  it('gives the tables docs/deploy.md shows for the counts it documents', () => {
    const doc = readFileSync(DEPLOY_MD, 'utf8');
    // The counts as the page prints them ("As JSON: `{...}`"): first the CVR run, then the EVR pass.
    const documented = [...doc.matchAll(/^As JSON.*?`(\{[^`]+\})`/gm)].map((m) => JSON.parse(m[1]) as CameraHourCounts);
    assert.equal(documented.length, 2, 'docs/deploy.md documents the counts of the CVR run and of the EVR pass');
    const [DOCUMENTED_COUNTS, DOCUMENTED_EVR_COUNTS] = documented;
    assert.deepEqual(Object.keys(DOCUMENTED_COUNTS).sort(), Object.keys(ZERO).sort(), 'the documented counts have every field');
    assert.ok(doc.includes(formatCounts(DOCUMENTED_COUNTS)), 'docs/deploy.md shows the documented counts');
    assert.ok(doc.includes(formatPriceRows(UNIT_PRICES)), 'docs/deploy.md lists the prices of bench/cost-prices.ts');
    assert.ok(doc.includes(formatCostTables(estimateCost(DOCUMENTED_COUNTS, UNIT_PRICES, COST_ASSUMPTIONS, COST_FLEETS))), 'docs/deploy.md shows their cost tables');
    assert.ok(
      doc.includes(formatCostTables(estimateCost(atBitrate(DOCUMENTED_COUNTS, REFERENCE_BITRATE), UNIT_PRICES, COST_ASSUMPTIONS, COST_FLEETS))),
      'docs/deploy.md shows the tables of the 2 Mbit/s camera',
    );
    assert.ok(doc.includes(formatCounts(DOCUMENTED_EVR_COUNTS)), 'docs/deploy.md shows the counts of the EVR pass');
    assert.ok(doc.includes(formatCostTables(estimateCost(DOCUMENTED_EVR_COUNTS, UNIT_PRICES, COST_ASSUMPTIONS, COST_FLEETS))), 'docs/deploy.md shows the EVR cost tables');
  });
});
