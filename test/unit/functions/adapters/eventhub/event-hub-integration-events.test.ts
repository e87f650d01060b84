import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOUDEVENTS_JSON, groupByPartitionKey, toEventData } from '../../../../../functions/adapters/eventhub/event-hub-integration-events';
import type { IntegrationEvent } from '../../../../../shared/ports/integration-events';

function event(id: string, type: string, subject?: string): IntegrationEvent {
  const e: IntegrationEvent = { specversion: '1.0', id, source: '/keepwatch/evr-policy', type, time: '2026-11-21T10:00:00.000Z', datacontenttype: 'application/json', data: { n: id } };
  if (subject !== undefined) e.subject = subject;
  return e;
}

// The events as they leave through publish (the body decodes to the whole CloudEvent, order, batches, retries,
// failures): the IntegrationEvents contract, event-hub-integration-events.contract.test.ts (a producer double).
describe('Event Hubs integration events: message shape and partition keys (sending itself needs a real hub: untested here)', () => {
  it('one message per event: body bytes, structured content type, messageId the event id', () => {
    const e = event('recording-started-1', 'recording.started', 'cam1');
    const data = toEventData(e);
    assert.equal(data.contentType, CLOUDEVENTS_JSON);
    assert.equal(data.contentType, 'application/cloudevents+json');
    assert.equal(data.messageId, 'recording-started-1');
    assert.ok(Buffer.isBuffer(data.body));
  });

  it('groups by subject (the camera), keeping publish order inside a group and first-appearance order between groups', () => {
    const events = [
      event('a1', 'recording.started', 'cam-a'),
      event('b1', 'recording.started', 'cam-b'),
      event('a2', 'recording.available', 'cam-a'),
      event('r1', 'retention.completed'),
      event('b2', 'recording.stopped', 'cam-b'),
      event('a3', 'recording.stopped', 'cam-a'),
    ];
    const groups = groupByPartitionKey(events);
    assert.deepEqual(
      groups.map((g) => [g.partitionKey, g.events.map((d) => d.messageId)]),
      [
        ['cam-a', ['a1', 'a2', 'a3']],
        ['cam-b', ['b1', 'b2']],
        ['/keepwatch/evr-policy', ['r1']],
      ],
    );
    assert.deepEqual(groupByPartitionKey([]), []);
  });
});
