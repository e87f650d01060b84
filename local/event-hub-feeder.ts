import { randomUUID } from 'node:crypto';
import { InvocationContext, type EventHubHandler } from '@azure/functions';
import { registrations } from '../functions/app';
import { routeMqttPublish, type MqttPublish } from '../shared/event-grid-mqtt';
import { redact } from '../shared/redact';
import { defaultHostLogger, logInvocation, type HostLogger } from './host-logger';
import { loadFunctions } from './load-functions';

/** Options of {@link EventHubFeeder}; every field optional, defaults in {@link FEEDER_DEFAULTS}. */
export interface EventHubFeederOptions {
  /** The registered Event Hubs function to feed. */
  functionName?: string;
  /** Use this handler instead of looking the function up (tests of the feeder itself). */
  handler?: EventHubHandler;
  /** Event Grid namespace name, the `source` of routed events. */
  namespace?: string;
  /** Names in `partitionContext`. */
  eventHubName?: string;
  consumerGroup?: string;
  partitionId?: string;
  /** Largest batch (host.json `maxEventBatchSize` 100). */
  maxBatchSize?: number;
  /** How long the first queued message waits for others before its batch goes, ms. */
  maxWaitMs?: number;
  /** Retries of a batch whose invocation threw, with doubling pauses from `retryDelayMs`. */
  maxRetries?: number;
  retryDelayMs?: number;
  logger?: HostLogger;
}

export const FEEDER_DEFAULTS = {
  functionName: 'ingest',
  namespace: 'keepwatch-local',
  eventHubName: 'device-events',
  consumerGroup: '$Default',
  partitionId: '0',
  maxBatchSize: 100,
  maxWaitMs: 200,
  maxRetries: 3,
  retryDelayMs: 200,
} as const;

interface Queued {
  event: Record<string, unknown>;
  enqueuedMs: number;
  sequenceNumber: number;
  offset: number;
}

/**
 * Feeds MQTT publishes to an Event Hubs function the way Azure would deliver them (the local stack's stand-in for
 * Event Grid MQTT routing → Event Hubs → Functions trigger, which has no emulator):
 * - each publish becomes the CloudEvent Event Grid routes (shared/event-grid-mqtt.ts `routeMqttPublish`), with the
 *   routing enrichments infra/modules/event-grid-mqtt.bicep configures (`kwclient` = the publish's
 *   `authenticationName`, which local/broker.ts sets to the user name it authenticated; `kwtopic` = the topic);
 * - publishes are batched, up to `maxBatchSize` or `maxWaitMs` after the first one waiting;
 * - the handler gets the array of event objects and an InvocationContext whose `triggerMetadata` has the host's
 *   cardinality-many shape: `enqueuedTimeUtcArray`, `sequenceNumberArray`, `offsetArray`, `partitionKeyArray`,
 *   `propertiesArray`, `systemPropertiesArray`, `partitionContext` (keys camel-cased as @azure/functions delivers them);
 * - batches run one at a time, in order, like one partition; a batch whose invocation throws is retried
 *   `maxRetries` times with doubling pauses (`retryContext` set), then logged as an error and skipped, as Event Hubs
 *   checkpoints and moves on.
 */
export class EventHubFeeder {
  private readonly handler: EventHubHandler;
  private readonly functionName: string;
  private readonly o: Required<Omit<EventHubFeederOptions, 'handler' | 'logger'>>;
  private readonly logger: HostLogger;
  private readonly queue: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private nextSequenceNumber = 0;
  private nextOffset = 0;
  private closed = false;

  /** @throws Error when no Event Hubs function of that name is registered */
  constructor(options: EventHubFeederOptions = {}) {
    this.o = { ...FEEDER_DEFAULTS, ...stripUndefined(options) } as EventHubFeeder['o'];
    this.functionName = this.o.functionName;
    this.logger = options.logger ?? defaultHostLogger('event-hub-feeder');
    if (options.handler) {
      this.handler = options.handler;
    } else {
      loadFunctions();
      const r = registrations().find((x) => x.kind === 'eventHub' && x.name === this.functionName);
      if (!r || r.kind !== 'eventHub') {
        const known = registrations().filter((x) => x.kind === 'eventHub').map((x) => x.name);
        throw new Error(`no Event Hubs function '${this.functionName}' is registered (registered: ${known.join(', ') || 'none'})`);
      }
      this.handler = r.options.handler;
    }
  }

  /** Messages queued and not yet handed to the function. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues one MQTT publish (returns at once). Without `authenticationName` it carries no routing enrichments, and
   * ingest dead-letters it (`MissingTransportIdentity`).
   * @throws Error after {@link close}
   */
  push(publish: MqttPublish): void {
    if (this.closed) throw new Error('EventHubFeeder is closed');
    const enqueuedMs = Date.now();
    const event = routeMqttPublish(publish, { namespace: this.o.namespace, id: randomUUID(), timeMs: enqueuedMs });
    this.queue.push({ event, enqueuedMs, sequenceNumber: this.nextSequenceNumber++, offset: this.nextOffset });
    this.nextOffset += Buffer.byteLength(JSON.stringify(event));
    if (this.queue.length >= this.o.maxBatchSize) void this.kick();
    else this.arm();
  }

  /** Hands everything queued to the function now and resolves when every batch (including retries) is done. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.running) await this.running;
      else if (this.queue.length > 0) await this.kick();
      else return;
    }
  }

  /** Refuses further pushes, flushes what is queued and waits for in-flight batches. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (!this.timer && !this.running) this.timer = setTimeout(() => void this.kick(), this.o.maxWaitMs);
  }

  private kick(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.arm();
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.deliver(this.queue.splice(0, this.o.maxBatchSize));
  }

  private async deliver(batch: Queued[]): Promise<void> {
    const messages = batch.map((q) => q.event);
    const enqueued = batch.map((q) => new Date(q.enqueuedMs).toISOString());
    const triggerMetadata = {
      enqueuedTimeUtcArray: enqueued,
      sequenceNumberArray: batch.map((q) => q.sequenceNumber),
      offsetArray: batch.map((q) => String(q.offset)),
      partitionKeyArray: batch.map(() => null),
      propertiesArray: batch.map(() => ({})),
      systemPropertiesArray: batch.map((q, i) => ({
        'x-opt-sequence-number': q.sequenceNumber,
        'x-opt-offset': String(q.offset),
        'x-opt-enqueued-time': enqueued[i],
        sequenceNumber: q.sequenceNumber,
        offset: String(q.offset),
        partitionKey: null,
        enqueuedTimeUtc: enqueued[i],
      })),
      partitionContext: {
        consumerGroup: this.o.consumerGroup,
        eventHubName: this.o.eventHubName,
        fullyQualifiedNamespace: `${this.o.namespace}.servicebus.local`,
        partitionId: this.o.partitionId,
      },
    };
    const first = batch[0].sequenceNumber;
    const last = batch[batch.length - 1].sequenceNumber;
    for (let attempt = 0; ; attempt++) {
      const invocationId = randomUUID();
      const context = new InvocationContext({
        invocationId,
        functionName: this.functionName,
        triggerMetadata,
        ...(attempt > 0 ? { retryContext: { retryCount: attempt, maxRetryCount: this.o.maxRetries } } : {}),
        logHandler: (level, ...args) => logInvocation(this.logger, level, { functionName: this.functionName, invocationId }, args),
      });
      try {
        await this.handler(messages, context);
        return;
      } catch (err) {
        const message = redact(err instanceof Error ? err.message : String(err));
        if (attempt >= this.o.maxRetries) {
          this.logger.error(
            { functionName: this.functionName, invocationId, events: batch.length, firstSequenceNumber: first, lastSequenceNumber: last, attempts: attempt + 1, err: message },
            'event batch failed after retries; skipped',
          );
          return;
        }
        this.logger.warn({ functionName: this.functionName, invocationId, events: batch.length, attempt: attempt + 1, err: message }, 'event batch failed; retrying');
        await new Promise((r) => setTimeout(r, this.o.retryDelayMs * 2 ** attempt));
      }
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
