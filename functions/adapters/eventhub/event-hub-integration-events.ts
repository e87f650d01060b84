import type { TokenCredential } from '@azure/core-auth';
import { EventHubProducerClient, type EventData } from '@azure/event-hubs';
import { TransientError } from '../../../shared/errors';
import type { IntegrationEvent, IntegrationEvents } from '../../../shared/ports/integration-events';

/** Content type of each Event Hubs message: one CloudEvent in structured JSON mode (CloudEvents AMQP binding §3.2). */
export const CLOUDEVENTS_JSON = 'application/cloudevents+json';

/** The events of one partition key, in publish order. */
export interface PartitionKeyGroup {
  /** The events' `subject` (the camera id), else their `source`: one camera's events land on one partition, in order. */
  partitionKey: string;
  events: EventData[];
}

/**
 * One integration event as the Event Hubs message the SDK sends: body the CloudEvent JSON as UTF-8 bytes (the SDK
 * sends a Buffer body as one AMQP data section unchanged), `contentType` {@link CLOUDEVENTS_JSON}, `messageId` the
 * event id (consumers dedupe on it: at-least-once).
 */
export function toEventData(event: IntegrationEvent): EventData {
  return { body: Buffer.from(JSON.stringify(event), 'utf8'), contentType: CLOUDEVENTS_JSON, messageId: event.id };
}

/**
 * Groups events by partition key (`subject`, else `source`), keeping publish order inside each group and the order of
 * first appearance between groups. Event Hubs orders messages only within a partition; a partition key pins all of one
 * camera's events to one partition, so `recording.started` is read before `recording.stopped`.
 */
export function groupByPartitionKey(events: readonly IntegrationEvent[]): PartitionKeyGroup[] {
  const groups = new Map<string, PartitionKeyGroup>();
  for (const e of events) {
    const partitionKey = e.subject || e.source;
    let group = groups.get(partitionKey);
    if (!group) groups.set(partitionKey, (group = { partitionKey, events: [] }));
    group.events.push(toEventData(e));
  }
  return [...groups.values()];
}

/**
 * Where the integration Event Hub is and how to authenticate: a connection string (SAS key), or the namespace and an
 * Entra ID credential (the Function App's managed identity, role Azure Event Hubs Data Sender; infra/).
 */
export type EventHubTarget = { hubName: string } & ({ /** secret */ connectionString: string } | { /** `{ns}.servicebus.windows.net` */ fullyQualifiedNamespace: string; credential: TokenCredential });

/**
 * Integration events sent to the integration Event Hub (`KEEPWATCH_INTEGRATION_EVENTS_HUB`, through the connection
 * `KEEPWATCH_EVENTHUB` or its identity-based form) with `@azure/event-hubs`' EventHubProducerClient, created on first publish. Per partition key
 * (see {@link groupByPartitionKey}) events are added to a batch (`createBatch({ partitionKey })` / `tryAdd`); a full
 * batch is sent and a new one started, so any number of events goes out in as few sends as the hub's size limit allows.
 */
export class EventHubIntegrationEvents implements IntegrationEvents {
  private producer: EventHubProducerClient | undefined;

  constructor(private readonly opts: EventHubTarget) {}

  /** @throws TransientError when the hub cannot be reached or refuses a send (the SDK has already retried), or an event is larger than a batch may be */
  async publish(events: readonly IntegrationEvent[]): Promise<void> {
    if (events.length === 0) return;
    const o = this.opts;
    const producer = (this.producer ??= 'connectionString' in o ? new EventHubProducerClient(o.connectionString, o.hubName) : new EventHubProducerClient(o.fullyQualifiedNamespace, o.hubName, o.credential));
    try {
      for (const group of groupByPartitionKey(events)) {
        let batch = await producer.createBatch({ partitionKey: group.partitionKey });
        for (const data of group.events) {
          if (batch.tryAdd(data)) continue;
          if (batch.count > 0) {
            await producer.sendBatch(batch);
            batch = await producer.createBatch({ partitionKey: group.partitionKey });
            if (batch.tryAdd(data)) continue;
          }
          throw new TransientError(`integration event ${String(data.messageId)} is larger than the Event Hub's batch limit of ${batch.maxSizeInBytes} bytes`);
        }
        if (batch.count > 0) await producer.sendBatch(batch);
      }
    } catch (err) {
      if (err instanceof TransientError) throw err;
      // The SDK message names the namespace and hub only, never the key.
      throw new TransientError(`sending integration events to Event Hub '${this.opts.hubName}' failed: ${(err as Error)?.message ?? String(err)}`, err);
    }
  }

  /** Closes the AMQP connection (process shutdown, tests). */
  async close(): Promise<void> {
    await this.producer?.close();
    this.producer = undefined;
  }
}
