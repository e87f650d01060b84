import type { PriceList } from './cost-prices';

/**
 * What one camera costs per month, from operations counted per camera-hour (bench/deploy-cost.ts, `npm run bench --
 * --only cost`) times unit prices (bench/cost-prices.ts). Pure arithmetic, no I/O; docs/deploy.md "Cost per
 * camera-month" is its output for the counts measured there, and test/unit/bench/cost-model.test.ts holds it to that.
 */

/** Operations and bytes of one camera in one hour of recording, as counted (or, where marked, modelled). */
export interface CameraHourCounts {
  /** Segments uploaded. */
  segments: number;
  /** Blob requests by billing class (bench/storage-request-class.ts). `batch` = Blob Batch requests. */
  blob: { write: number; list: number; read: number; other: number; delete: number; batch: number };
  /** Segment bytes stored (sum of uploaded blob sizes). */
  blobBytes: number;
  /** Table requests (each a billed transaction; an entity group transaction counts once). */
  tableTransactions: number;
  /** Entity bytes written (request bodies of inserts, upserts, merges and entity group transactions): an upper bound of the index's growth. */
  tableBytes: number;
  /** Function executions, all functions together. */
  functionExecutions: number;
  /** Of which `ingest` executions (one per Event Hubs batch: each checkpoints). */
  ingestExecutions: number;
  /** Seconds the functions were executing (union of invocation intervals: one Flex instance's billed active time). */
  functionActiveSeconds: number;
  /** Device events: MQTT publishes routed to the device-events hub (= Event Grid custom topic ingress). */
  deviceEvents: number;
  /** Their payload bytes. */
  deviceEventBytes: number;
  /** Integration events (recording lifecycle) sent to the integration-events hub. */
  integrationEvents: number;
  /** MQTT publishes the broker received (devices, signal publishers, the cloud's commands). */
  mqttPublishesIn: number;
  /** MQTT messages the broker delivered to subscribers (devices' commands; the counting subscriber excluded). */
  mqttDeliveriesOut: number;
  /** Log lines the functions wrote at info and above (Application Insights traces). */
  logLines: number;
  /** Their bytes (as printed locally). */
  logBytes: number;
}

/** Assumptions of the model, each documented in docs/deploy.md. */
export interface CostAssumptions {
  /** Archive retention, days (the deployment default, `retentionDays`). */
  retentionDays: number;
  /** Hours in a billing month (Azure's calculator uses 730). */
  hoursPerMonth: number;
  /** Flex Consumption instance memory, GB (infra/modules/functions.bicep `instanceMemoryMB` 2048). */
  instanceMemoryGb: number;
  /** Bytes Application Insights bills per execution for its `requests` record (sampling excludes Request, host.json). */
  requestRecordBytes: number;
  /** Bytes billed per trace line (a local log line's bytes are the message; the record adds its envelope). */
  traceEnvelopeBytes: number;
  /** Host checkpoint blob writes per ingest execution (Event Hubs extension, `batchCheckpointFrequency` 1). */
  checkpointWritesPerIngest: number;
  /** Retention, per segment deleted: table transactions (≤ 100 rows each), Blob Batch requests (≤ 256 deletes), journal blob writes (one per step of 1,024). */
  retentionPerSegment: { tableTransactions: number; blobBatches: number; blobWrites: number };
  /** Retention, per camera and run (hourly): rollup rewrite and camera row, table transactions. */
  retentionTableTransactionsPerCameraRun: number;
}

/** One line of the per-camera-month table. */
export interface CostRow {
  resource: string;
  /** Quantity per camera-month in `unit`s. */
  quantity: number;
  unit: string;
  /** USD per camera-month. */
  usd: number;
}

/** Deployment-wide monthly costs that do not grow with cameras. */
export interface FixedCostRow {
  resource: string;
  usd: number;
}

/** Everything the model returns. */
export interface CostEstimate {
  perCamera: CostRow[];
  perCameraTotalUsd: number;
  fixed: FixedCostRow[];
  fixedTotalUsd: number;
  /** Total per camera-month for fleets of n cameras: per-camera costs + fixed / n. */
  fleets: Array<{ cameras: number; fixedShareUsd: number; totalPerCameraUsd: number }>;
}

const GIB = 1024 ** 3;
/** Event Hubs bills ingress in 64 KB units. */
const EVENT_HUBS_UNIT_BYTES = 64 * 1024;

/**
 * Per-camera-month and fixed monthly costs.
 * @param counts one camera-hour (see {@link CameraHourCounts})
 * @param fleetSizes camera counts the fixed costs are shared by (e.g. [10, 100])
 * Blob and Table capacity: retention days × 24 hours of what one hour adds (steady state, hourly retention runs);
 * transactions, executions, events: per hour × hoursPerMonth. Free grants are not deducted.
 */
export function estimateCost(counts: CameraHourCounts, prices: PriceList, a: CostAssumptions, fleetSizes: readonly number[]): CostEstimate {
  const month = a.hoursPerMonth;
  const retentionHours = a.retentionDays * 24;
  const rows: CostRow[] = [];
  const add = (resource: string, quantity: number, unit: string, usd: number) => rows.push({ resource, quantity, unit, usd });

  const blobGb = (counts.blobBytes * retentionHours) / GIB;
  add(`Blob capacity (segments kept ${a.retentionDays} days)`, blobGb, 'GB-month', blobGb * prices.blobCapacityGbMonth.usd);
  const checkpointWrites = counts.ingestExecutions * a.checkpointWritesPerIngest;
  const writes = (counts.blob.write + checkpointWrites + counts.segments * a.retentionPerSegment.blobWrites) * month;
  add('Blob write operations (uploads, host checkpoints, retention journal)', writes, 'operations', (writes / 1e4) * prices.blobWritePer10k.usd);
  const lists = counts.blob.list * month;
  add('Blob list and create container operations', lists, 'operations', (lists / 1e4) * prices.blobListCreatePer10k.usd);
  const reads = counts.blob.read * month;
  add('Blob read operations', reads, 'operations', (reads / 1e4) * prices.blobReadPer10k.usd);
  const others = (counts.blob.other + counts.blob.batch + counts.segments * a.retentionPerSegment.blobBatches) * month;
  add('Blob other operations (properties, retention batches)', others, 'operations', (others / 1e4) * prices.blobOtherPer10k.usd);
  const deletes = (counts.blob.delete + counts.segments) * month;
  add('Blob deletes (retention)', deletes, 'operations', deletes * prices.blobDelete.usd);

  const tableGb = (counts.tableBytes * retentionHours) / GIB;
  add(`Table capacity (index, ${a.retentionDays} days)`, tableGb, 'GB-month', tableGb * prices.tableCapacityGbMonth.usd);
  const tableTx = (counts.tableTransactions + counts.segments * a.retentionPerSegment.tableTransactions + a.retentionTableTransactionsPerCameraRun) * month;
  add('Table transactions (ingest, retention)', tableTx, 'transactions', (tableTx / 1e4) * prices.tablePer10k.usd);

  const executions = counts.functionExecutions * month;
  add('Function executions', executions, 'executions', (executions / 1e6) * prices.functionsPerMillionExecutions.usd);
  const gbSeconds = counts.functionActiveSeconds * a.instanceMemoryGb * month;
  add('Function execution time', gbSeconds, 'GB-s', gbSeconds * prices.functionsGbSecond.usd);

  const eventUnits = counts.deviceEvents * Math.max(1, Math.ceil(counts.deviceEventBytes / Math.max(1, counts.deviceEvents) / EVENT_HUBS_UNIT_BYTES));
  const ingress = (eventUnits + counts.integrationEvents) * month;
  add('Event Hubs ingress events', ingress, 'events', (ingress / 1e6) * prices.eventHubsIngressPerMillion.usd);
  const mqttOps = (counts.mqttPublishesIn + counts.mqttDeliveriesOut) * month;
  add('Event Grid MQTT operations', mqttOps, 'operations', (mqttOps / 1e6) * prices.eventGridMqttPerMillion.usd);
  // Routing: each routed publish enters the custom topic (1 operation) and is delivered to Event Hubs (1 attempt).
  const routeOps = counts.deviceEvents * 2 * month;
  add('Event Grid routing (custom topic ingress + delivery)', routeOps, 'operations', (routeOps / 1e6) * prices.eventGridBasicPerMillion.usd);

  const logGb = ((counts.functionExecutions * a.requestRecordBytes + counts.logLines * a.traceEnvelopeBytes + counts.logBytes) * month) / 1e9;
  add('Application Insights ingestion', logGb, 'GB', logGb * prices.logIngestionGb.usd);

  const fixed: FixedCostRow[] = [
    { resource: 'Event Hubs Standard namespace, 1 throughput unit', usd: prices.eventHubsStandardTuHour.usd * month },
    { resource: 'Event Grid namespace (MQTT broker), 1 throughput unit', usd: prices.eventGridTuHour.usd * month },
  ];
  const perCameraTotalUsd = sum(rows.map((r) => r.usd));
  const fixedTotalUsd = sum(fixed.map((f) => f.usd));
  return {
    perCamera: rows,
    perCameraTotalUsd,
    fixed,
    fixedTotalUsd,
    fleets: fleetSizes.map((cameras) => ({ cameras, fixedShareUsd: fixedTotalUsd / cameras, totalPerCameraUsd: perCameraTotalUsd + fixedTotalUsd / cameras })),
  };
}

/**
 * The same counts for a camera of another bit rate: only the stored bytes change (the agent uploads each segment in
 * one Put Blob whatever its size, up to the SDK's 256 MiB single-shot limit).
 * @param bitsPerSecond average video bit rate, bit/s (e.g. 2,000,000 for a typical 1080p H.264 camera)
 */
export function atBitrate(counts: CameraHourCounts, bitsPerSecond: number): CameraHourCounts {
  return { ...counts, blob: { ...counts.blob }, blobBytes: (bitsPerSecond / 8) * 3600 };
}

function sum(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

/** `1234567.8` → `1,234,568`; below 10, three significant decimals. */
function qty(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) < 10) return n.toFixed(3);
  return Math.round(n).toLocaleString('en-US');
}

function usd(n: number): string {
  return `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 4 : 2)}`;
}

/** The estimate as the Markdown tables of docs/deploy.md (per camera-month, fixed, per fleet size). */
export function formatCostTables(e: CostEstimate): string {
  const lines = ['| resource | per camera-month | USD per camera-month |', '|---|---:|---:|'];
  for (const r of e.perCamera) lines.push(`| ${r.resource} | ${qty(r.quantity)} ${r.unit} | ${usd(r.usd)} |`);
  lines.push(`| **total per camera** | | **${usd(e.perCameraTotalUsd)}** |`, '');
  lines.push('| fixed, per deployment | USD per month |', '|---|---:|');
  for (const f of e.fixed) lines.push(`| ${f.resource} | ${usd(f.usd)} |`);
  lines.push(`| **total fixed** | **${usd(e.fixedTotalUsd)}** |`, '');
  lines.push('| cameras | fixed share per camera | **USD per camera-month** |', '|---:|---:|---:|');
  for (const f of e.fleets) lines.push(`| ${f.cameras} | ${usd(f.fixedShareUsd)} | **${usd(f.totalPerCameraUsd)}** |`);
  return lines.join('\n');
}

/** The counts as the Markdown table of docs/deploy.md "Measured counts" (per camera-hour). */
export function formatCounts(c: CameraHourCounts): string {
  const r = (name: string, v: number) => `| ${name} | ${qty(v)} |`;
  return [
    '| per camera-hour | count |',
    '|---|---:|',
    r('segments uploaded', c.segments),
    r('Blob write requests', c.blob.write),
    r('Blob list/create container requests', c.blob.list),
    r('Blob read requests', c.blob.read),
    r('Blob other requests', c.blob.other),
    r('Blob delete requests', c.blob.delete),
    r('Blob Batch requests', c.blob.batch),
    r('segment bytes stored', c.blobBytes),
    r('Table transactions', c.tableTransactions),
    r('Table entity bytes written', c.tableBytes),
    r('function executions', c.functionExecutions),
    r('of which ingest (Event Hubs batches)', c.ingestExecutions),
    r('function active seconds', c.functionActiveSeconds),
    r('device events (Event Hubs ingress)', c.deviceEvents),
    r('device event bytes', c.deviceEventBytes),
    r('integration events', c.integrationEvents),
    r('MQTT publishes in', c.mqttPublishesIn),
    r('MQTT deliveries out', c.mqttDeliveriesOut),
    r('function log lines (info+)', c.logLines),
    r('function log bytes', c.logBytes),
  ].join('\n');
}
