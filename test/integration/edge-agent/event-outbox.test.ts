import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EventOutbox } from '../../../edge-agent/journal/event-outbox';
import { createLogger } from '../../../edge-agent/log';
import { MqttTransport } from '../../../edge-agent/transport/mqtt-transport';
import { startLocalBroker, type BrokerMessage } from '../../../local/broker';
import { freePort } from '../../../testbed/ports';

describe('EventOutbox with a real broker (aedes)', () => {
  it('keeps events on disk through a broker outage and an agent restart, then delivers each in order', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-outbox-')), 'outbox');
    const port = await freePort(); // no broker yet
    const transport = (deviceId: string) => new MqttTransport({ deviceId, url: `mqtt://127.0.0.1:${port}`, password: 'pw', protocolVersion: 4, reconnectPeriodMs: 200, logger: createLogger('silent') });

    // First run: the broker is down; events are stored, then the agent dies.
    const t1 = transport('site-1');
    void t1.connect().catch(() => {}); // never connects: the agent dies first
    const o1 = new EventOutbox({ dir, publish: (topic, event) => t1.publishEvent(topic, event), logger: createLogger('silent'), retryDelayMs: 100 });
    o1.start();
    const sent: Array<{ topic: string; n: number }> = [];
    for (let n = 0; n < 30; n++) {
      const topic = `keepwatch/site-1/events/cam-${n % 3}`;
      o1.add(topic, { id: `e-${n}`, n });
      sent.push({ topic, n });
    }
    assert.equal(o1.pending, 30);
    assert.equal(await o1.drain(300), false, 'nothing is acknowledged without a broker');
    o1.close();
    await t1.close(0);
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.json')).length, 30, 'every event is on disk');
    writeFileSync(path.join(dir, '0000000000000099.json.tmp'), '{"topic":'); // an add() cut short by the crash

    // Second run: the broker is back; the outbox publishes what the first run left, in order.
    const received: BrokerMessage[] = [];
    const broker = await startLocalBroker({ port, devices: { 'site-1': 'pw' }, onMessage: (m) => received.push(m) });
    const t2 = transport('site-1');
    try {
      const o2 = new EventOutbox({ dir, publish: (topic, event) => t2.publishEvent(topic, event), logger: createLogger('silent') });
      assert.equal(o2.pending, 30);
      const connected = t2.connect();
      o2.start();
      await connected;
      o2.add('keepwatch/site-1/events/cam-0', { id: 'e-30', n: 30 });
      sent.push({ topic: 'keepwatch/site-1/events/cam-0', n: 30 });
      assert.equal(await o2.drain(10_000), true);
      // aedes may report a publish to listeners just after it sent the PUBACK.
      for (let i = 0; i < 100 && received.filter((m) => m.topic.includes('/events/')).length < sent.length; i++) await new Promise((r) => setTimeout(r, 20));
      const events = received.filter((m) => m.topic.includes('/events/')).map((m) => ({ topic: m.topic, n: (JSON.parse(m.payload.toString()) as { n: number }).n }));
      assert.deepEqual(events, sent, 'each event once, in the order it was added');
      assert.deepEqual(readdirSync(dir), [], 'acknowledged events and the torn temp file are gone');
      o2.close();
    } finally {
      await t2.close();
      await broker.close();
    }
  });

  it('a complete event left in a temp file (a rename a power cut lost) is published, never deleted; a torn one goes; files are 0600 (docs/crash-safety.md, docs/security.md)', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-outbox-')), 'outbox');
    mkdirSync(dir);
    const old = process.umask(0o022);
    try {
      // Left by an earlier agent that renamed without fsyncing the folder: the journal already says `done`.
      writeFileSync(path.join(dir, '0000000000000007.json.tmp'), JSON.stringify({ topic: 'keepwatch/site-1/events/cam-0', event: { id: 'e-7', n: 7 } }));
      writeFileSync(path.join(dir, '0000000000000008.json.tmp'), '{"topic":"keepwatch/site-1/ev');
      const published: Array<{ topic: string; event: object }> = [];
      const outbox = new EventOutbox({ dir, publish: async (topic, event) => void published.push({ topic, event }), logger: createLogger('silent') });
      assert.equal(outbox.pending, 1, 'the complete temp file is an event');
      assert.deepEqual(readdirSync(dir), ['0000000000000007.json']);
      outbox.add('keepwatch/site-1/events/cam-0', { id: 'e-9', n: 9 });
      const mode = statSync(path.join(dir, readdirSync(dir).sort()[1])).mode & 0o777;
      assert.equal(mode, 0o600, `an outbox file is 0600 (umask 022), not ${mode.toString(8)}`);
      outbox.start();
      assert.equal(await outbox.drain(2000), true);
      assert.deepEqual(published.map((p) => (p.event as { id: string }).id), ['e-7', 'e-9'], 'in order, the recovered one first');
      outbox.close();
    } finally {
      process.umask(old);
    }
  });
});
