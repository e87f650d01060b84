/**
 * Unit prices of the Azure resources a Keepwatch deployment uses (infra/), pay-as-you-go, USD, East US, Blob and Table
 * Standard LRS, Blob hot tier, as used by docs/deploy.md "Cost per camera-month". Each carries its source and how sure
 * it is: Microsoft's pricing pages render their figures in the browser, so the stored copies reachable from here show
 * "$-" instead of numbers. `verified` says the figure was found, on 2026-11-22, in the secondary source `seenIn`;
 * otherwise it is the list price as last published to our knowledge, an assumption to re-check on the page.
 */
export interface UnitPrice {
  /** USD per `unit`. */
  usd: number;
  unit: string;
  /** Page the figure belongs to. */
  source: string;
  /** True when the figure was found in `seenIn` (a secondary source reachable from here) on 2026-11-22. */
  verified: boolean;
  /** Where the figure was found, when verified. */
  seenIn?: string;
  note?: string;
}

const BLOB = 'https://azure.microsoft.com/pricing/details/storage/blobs/';
const TABLE = 'https://azure.microsoft.com/pricing/details/storage/tables/';
const FUNCTIONS = 'https://azure.microsoft.com/pricing/details/functions/';
const EVENT_HUBS = 'https://azure.microsoft.com/pricing/details/event-hubs/';
const EVENT_GRID = 'https://azure.microsoft.com/pricing/details/event-grid/';
const MONITOR = 'https://azure.microsoft.com/pricing/details/monitor/';

/** The price list the cost model uses; every figure documented in docs/deploy.md "Prices". */
export const UNIT_PRICES = {
  blobCapacityGbMonth: { usd: 0.018, unit: 'GB-month (hot, LRS, first 50 TB)', source: BLOB, verified: false },
  blobWritePer10k: { usd: 0.05, unit: '10,000 write operations (hot)', source: BLOB, verified: false },
  blobListCreatePer10k: { usd: 0.05, unit: '10,000 list and create container operations (hot)', source: BLOB, verified: false },
  blobReadPer10k: { usd: 0.004, unit: '10,000 read operations (hot)', source: BLOB, verified: false },
  blobOtherPer10k: { usd: 0.004, unit: '10,000 other operations (hot)', source: BLOB, verified: false },
  blobDelete: { usd: 0, unit: 'delete operation', source: BLOB, verified: false, note: 'Delete Blob is not charged' },
  tableCapacityGbMonth: { usd: 0.045, unit: 'GB-month (LRS)', source: TABLE, verified: false },
  tablePer10k: { usd: 0.00036, unit: '10,000 transactions', source: TABLE, verified: false, note: 'an entity group transaction counted as one transaction' },
  functionsGbSecond: {
    usd: 0.000026,
    unit: 'GB-s (Flex Consumption, on demand)',
    source: FUNCTIONS,
    verified: true,
    seenIn: 'https://modal.com/blog/azure-function-pricing-guide (2025-05-22, East US)',
    note: 'free grant 100,000 GB-s per subscription and month, not deducted here',
  },
  functionsPerMillionExecutions: {
    usd: 0.4,
    unit: 'million executions (Flex Consumption, on demand)',
    source: FUNCTIONS,
    verified: false,
    note: 'free grant 250,000 executions per subscription and month, not deducted here',
  },
  eventHubsStandardTuHour: {
    usd: 0.03,
    unit: 'throughput unit-hour (Standard)',
    source: EVENT_HUBS,
    verified: true,
    seenIn: 'github.com/api-evangelist/microsoft-azure-event-hubs plans/microsoft-azure-event-hubs-plans-pricing.yml (generated 2026-05: "typical ~$0.03/TU/hour list"; Basic ~$0.015)',
  },
  eventHubsIngressPerMillion: {
    usd: 0.028,
    unit: 'million ingress events (64 KB units, Standard)',
    source: EVENT_HUBS,
    verified: true,
    seenIn: 'the same file ("~$0.028 per 1M events")',
  },
  eventGridTuHour: { usd: 0.04, unit: 'namespace throughput unit-hour (Standard)', source: EVENT_GRID, verified: false },
  eventGridMqttPerMillion: { usd: 1.0, unit: 'million MQTT operations (Standard)', source: EVENT_GRID, verified: false, note: 'a publish in and each delivery out are one operation each' },
  eventGridBasicPerMillion: { usd: 0.6, unit: 'million operations (Basic: custom topic ingress, delivery attempts)', source: EVENT_GRID, verified: false, note: 'first 100,000 per month free, not deducted here' },
  logIngestionGb: {
    usd: 2.3,
    unit: 'GB (10^9 bytes) ingested (Log Analytics pay-as-you-go, workspace-based Application Insights)',
    source: MONITOR,
    verified: false,
    note: 'GB = 10^9 bytes and billed size ~25 % under the incoming size: learn.microsoft.com/azure/azure-monitor/logs/cost-logs; first 5 GB per billing account and month free; 30 days of retention included',
  },
} as const satisfies Record<string, UnitPrice>;

export type PriceList = { [K in keyof typeof UNIT_PRICES]: UnitPrice };

const PRICE_NAMES: Record<keyof typeof UNIT_PRICES, string> = {
  blobCapacityGbMonth: 'Blob capacity',
  blobWritePer10k: 'Blob write operations',
  blobListCreatePer10k: 'Blob list and create container operations',
  blobReadPer10k: 'Blob read operations',
  blobOtherPer10k: 'Blob other operations',
  blobDelete: 'Blob delete',
  tableCapacityGbMonth: 'Table capacity',
  tablePer10k: 'Table transactions',
  functionsGbSecond: 'Functions execution time',
  functionsPerMillionExecutions: 'Functions executions',
  eventHubsStandardTuHour: 'Event Hubs throughput unit',
  eventHubsIngressPerMillion: 'Event Hubs ingress',
  eventGridTuHour: 'Event Grid namespace throughput unit',
  eventGridMqttPerMillion: 'Event Grid MQTT operations',
  eventGridBasicPerMillion: 'Event Grid Basic operations (routing)',
  logIngestionGb: 'Log Analytics / Application Insights ingestion',
};

/** The price list as the rows of docs/deploy.md "Prices" (under its header row). */
export function formatPriceRows(prices: PriceList): string {
  return (Object.keys(PRICE_NAMES) as Array<keyof typeof UNIT_PRICES>)
    .map((k) => {
      const p = prices[k];
      const note = p.note ? `; ${p.note}` : '';
      return `| ${PRICE_NAMES[k]} | ${p.usd} | ${p.unit}${note} | ${p.source} | ${p.verified ? `yes, in ${p.seenIn}` : 'no: assumed list price'} |`;
    })
    .join('\n');
}
