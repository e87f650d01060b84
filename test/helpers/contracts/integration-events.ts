import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFresh } from './harness';
import { TransientError } from '../../../shared/errors';
import type { IntegrationEvent, IntegrationEvents } from '../../../shared/ports/integration-events';

/** One implementation of {@link IntegrationEvents} wired to its real sink, and a consumer's view of that sink. */
export interface IntegrationEventsHarness {
  sink: IntegrationEvents;
  /**
   * The events that have left the sink so far, decoded from what a consumer receives (an MQTT payload, an Event Hubs
   * message body, a table row's `event`), in the order a consumer reads them; resolves once an event with id `untilId`
   * is among them (a sink that delivers asynchronously is waited for, 10 s at most).
   */
  published(untilId: string): Promise<IntegrationEvent[]>;
  /** Releases the sink and the observer. */
  close(): Promise<void>;
}

/** What an implementation does where the port leaves it open: each is asserted, not skipped. */
export interface IntegrationEventsContractOptions {
  /**
   * The order a consumer reads one subject's events in: `publish` (MQTT, one client's QoS 1 messages; Event Hubs, one
   * partition key) or `time` (the table: RowKey `{time}_{id}`, whatever order they were published in).
   */
  order: 'publish' | 'time';
  /**
   * What publishing an event a second time (a retried batch) leaves: `delivered-again`, a second copy the consumer
   * dedupes on `id`; `replaced`, one copy (the table rewrites the event's own row).
   */
  republished: 'delivered-again' | 'replaced';
  /**
   * A call holding an event whose `type` cannot be an MQTT topic level (`bad/type`): `rejects-call`, the call throws and
   * sends none of its events; `published`, it is published as any other.
   */
  typeNotATopicLevel: 'rejects-call' | 'published';
  /** The same implementation with its sink unreachable (a closed port, a failing producer). */
  unreachable(): Promise<{ sink: IntegrationEvents; close(): Promise<void> }>;
}

/** A CloudEvent as the functions publish them; `subject` omitted when `undefined`. */
export function integrationEvent(id: string, type: string, subject: string | undefined, time = '2026-11-21T10:00:00.000Z'): IntegrationEvent {
  const e: IntegrationEvent = { specversion: '1.0', id, source: '/keepwatch/evr-policy', type, time, datacontenttype: 'application/json', data: { recordingId: id, nested: { n: 1, list: ['a', 'ü'] }, nothing: null } };
  if (subject !== undefined) e.subject = subject;
  return e;
}

const ids = (events: readonly IntegrationEvent[]) => events.map((e) => e.id);
const byId = (events: readonly IntegrationEvent[]) => [...events].sort((a, b) => a.id.localeCompare(b.id));

/**
 * The IntegrationEvents port's contract (shared/ports/integration-events.ts), run against one implementation: every
 * event leaves as its whole CloudEvents 1.0 JSON, unchanged; any number of events (across UTC days, past one batch)
 * leave; one subject's events are read in order; a retried event is harmless to a consumer deduping on `id`; an empty
 * call sends nothing; an unreachable sink makes `publish` a TransientError. `factory` gives a fresh harness per test.
 */
export function describeIntegrationEventsContract(name: string, factory: () => Promise<IntegrationEventsHarness>, options: IntegrationEventsContractOptions): void {
  describe(`IntegrationEvents contract: ${name}`, () => {
    const withHarness = (run: (h: IntegrationEventsHarness) => Promise<void>) => withFresh(factory, run);

    it('each event leaves as its whole CloudEvent, attributes and data unchanged (with and without subject)', () =>
      withHarness(async (h) => {
        const events = [integrationEvent('e1', 'recording.started', 'cam1'), integrationEvent('e2', 'retention.completed', undefined), integrationEvent('e3', 'recording.stopped', 'cam-2')];
        await h.sink.publish(events);
        const got = await h.published('e3');
        assert.deepEqual(byId(got), events);
        assert.ok(!('subject' in got.find((e) => e.id === 'e2')!), 'no subject stays no subject');
      }));

    it(`one subject's events are read ${options.order === 'publish' ? 'in publish order' : 'in time order, whatever the publish order'}, over several calls`, () =>
      withHarness(async (h) => {
        const first = [integrationEvent('o-z', 'recording.started', 'cam1', '2026-11-21T10:00:02.000Z'), integrationEvent('o-a', 'recording.available', 'cam1', '2026-11-21T10:00:01.000Z')];
        const second = [integrationEvent('o-m', 'recording.stopped', 'cam1', '2026-11-21T10:00:03.000Z')];
        await h.sink.publish(first);
        await h.sink.publish(second);
        assert.deepEqual(ids(await h.published('o-m')), options.order === 'publish' ? ['o-z', 'o-a', 'o-m'] : ['o-a', 'o-z', 'o-m']);
      }));

    it('any number of events leaves, across UTC days and past one batch, each once, in order', () =>
      withHarness(async (h) => {
        const base = Date.parse('2026-11-21T23:59:00.000Z');
        const events = Array.from({ length: 250 }, (_, i) => integrationEvent(`n${String(i).padStart(3, '0')}`, 'recording.available', 'cam1', new Date(base + i * 1000).toISOString()));
        await h.sink.publish(events);
        assert.deepEqual(await h.published('n249'), events);
      }));

    it(`an event published again (a retry) is ${options.republished === 'delivered-again' ? 'delivered again, the same, for the consumer to dedupe on id' : 'kept once'}`, () =>
      withHarness(async (h) => {
        const e = integrationEvent('dup', 'recording.started', 'cam1');
        await h.sink.publish([e]);
        await h.sink.publish([e]);
        await h.sink.publish([integrationEvent('after-dup', 'recording.stopped', 'cam1', '2026-11-21T10:00:05.000Z')]);
        const got = await h.published('after-dup');
        const copies = got.filter((x) => x.id === 'dup');
        assert.deepEqual(copies, options.republished === 'delivered-again' ? [e, e] : [e]);
      }));

    it('an empty call sends nothing and does not even reach the sink', async () => {
      await withHarness(async (h) => {
        await h.sink.publish([]);
        await h.sink.publish([integrationEvent('marker', 'recording.started', 'cam1')]);
        assert.deepEqual(ids(await h.published('marker')), ['marker']);
      });
      const down = await options.unreachable();
      try {
        await down.sink.publish([]);
      } finally {
        await down.close();
      }
    });

    it(`an event type that is not a topic level: ${options.typeNotATopicLevel === 'rejects-call' ? 'the call throws and sends none of its events' : 'published as any other'}`, () =>
      withHarness(async (h) => {
        const good = integrationEvent('t-good', 'recording.started', 'cam1');
        const bad = integrationEvent('t-bad', 'bad/type', 'cam1');
        if (options.typeNotATopicLevel === 'rejects-call') {
          await assert.rejects(h.sink.publish([good, bad]), /not a topic level/);
          await h.sink.publish([integrationEvent('t-marker', 'recording.stopped', 'cam1', '2026-11-21T10:00:05.000Z')]);
          assert.deepEqual(ids(await h.published('t-marker')), ['t-marker']);
        } else {
          await h.sink.publish([good, bad]);
          assert.deepEqual(byId(await h.published('t-bad')), byId([good, bad]));
        }
      }));

    it('an unreachable sink makes publish a TransientError', async () => {
      const down = await options.unreachable();
      try {
        await assert.rejects(down.sink.publish([integrationEvent('lost', 'recording.started', 'cam1')]), (err: unknown) => err instanceof TransientError);
      } finally {
        await down.close();
      }
    });
  });
}
