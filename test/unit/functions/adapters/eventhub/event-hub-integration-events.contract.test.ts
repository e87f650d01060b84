import type { EventData, EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';
import { describe } from 'node:test';
import { EventHubIntegrationEvents } from '../../../../../functions/adapters/eventhub/event-hub-integration-events';
import type { IntegrationEvent } from '../../../../../shared/ports/integration-events';
import { describeIntegrationEventsContract } from '../../../../helpers/contracts/integration-events';

/**
 * The IntegrationEvents contract (test/helpers/contracts/integration-events.ts) on EventHubIntegrationEvents. There is
 * no Event Hubs emulator here, so the adapter's real `publish` runs against a producer double put where the adapter
 * keeps the EventHubProducerClient it would create on first publish: the double records each batch it is asked to
 * send (`createBatch({ partitionKey })`, `tryAdd`, `sendBatch`), and a consumer's view is the sent messages' bodies in
 * send order. What the SDK does on the wire is not tested here (sending needs a real hub).
 */
const BATCH_BYTES = 16 * 1024; // small, so that 250 events take several batches, as a full 1 MB batch would

interface SentBatch {
  partitionKey?: string;
  events: EventData[];
}

/** The part of EventHubProducerClient the adapter uses; `fail` makes every send reject as the SDK does once its retries are spent. */
function producerDouble(sent: SentBatch[], fail?: Error) {
  return {
    createBatch: async (options: { partitionKey?: string } = {}) => {
      const batch: SentBatch & { sizeInBytes: number } = { partitionKey: options.partitionKey, events: [], sizeInBytes: 0 };
      return {
        get count() {
          return batch.events.length;
        },
        maxSizeInBytes: BATCH_BYTES,
        tryAdd(data: EventData) {
          const size = (data.body as Buffer).length;
          if (batch.sizeInBytes + size > BATCH_BYTES) return false;
          batch.events.push(data);
          batch.sizeInBytes += size;
          return true;
        },
        batch,
      } as unknown as EventDataBatch;
    },
    sendBatch: async (b: EventDataBatch) => {
      if (fail) throw fail;
      sent.push((b as unknown as { batch: SentBatch }).batch);
    },
    close: async () => {},
  } as unknown as EventHubProducerClient;
}

function sinkWith(producer: EventHubProducerClient): EventHubIntegrationEvents {
  const sink = new EventHubIntegrationEvents({ hubName: 'integration', connectionString: 'Endpoint=sb://unused.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=unused' });
  (sink as unknown as { producer: EventHubProducerClient }).producer = producer;
  return sink;
}

describe('EventHubIntegrationEvents with a producer double', () => {
  describeIntegrationEventsContract(
    'Event Hubs (producer double)',
    async () => {
      const sent: SentBatch[] = [];
      const sink = sinkWith(producerDouble(sent));
      return {
        sink,
        published: async (untilId) => {
          const events = sent.flatMap((b) => b.events.map((d) => JSON.parse((d.body as Buffer).toString('utf8')) as IntegrationEvent));
          if (!events.some((e) => e.id === untilId)) throw new Error(`event ${untilId} was not sent: ${events.map((e) => e.id).join(', ')}`);
          return events;
        },
        close: () => sink.close(),
      };
    },
    {
      order: 'publish', // within one partition key (the subject)
      republished: 'delivered-again', // consumers dedupe on messageId = id
      typeNotATopicLevel: 'published', // the type is only in the body
      unreachable: async () => {
        const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5671'), { name: 'MessagingError', code: 'ECONNREFUSED', retryable: true });
        const sink = sinkWith(producerDouble([], refused));
        return { sink, close: () => sink.close() };
      },
    },
  );
});
