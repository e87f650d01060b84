import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EventOutbox, OUTBOX_LOG_FILE, readOutbox } from '../../../edge-agent/journal/event-outbox';
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
    assert.deepEqual(readdirSync(dir), [OUTBOX_LOG_FILE], 'one log, no file per event');
    assert.deepEqual(readOutbox(dir).map((e) => (e.event as { n: number }).n), sent.map((e) => e.n), 'every event is on disk, in order');
    appendFileSync(path.join(dir, OUTBOX_LOG_FILE), '{"seq":31,"topic":"keepwatch/site-1/ev'); // an add() cut short by the crash

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
      assert.deepEqual(readdirSync(dir), [OUTBOX_LOG_FILE]);
      assert.deepEqual(readOutbox(dir), [], 'every event in the log is acknowledged; the torn line is gone');
      o2.close();
    } finally {
      await t2.close();
      await broker.close();
    }
  });

  it('migrates the older one-file-per-event outbox: event files and a complete temp file (a rename a power cut lost) are published, a torn one goes; the log is 0600 (docs/crash-safety.md, docs/security.md)', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-outbox-')), 'outbox');
    mkdirSync(dir);
    const old = process.umask(0o022);
    try {
      // Left by an earlier agent that renamed without fsyncing the folder: the journal already says `done`.
      writeFileSync(path.join(dir, '0000000000000005.json'), JSON.stringify({ topic: 'keepwatch/site-1/events/cam-1', event: { id: 'e-5', n: 5 } }));
      writeFileSync(path.join(dir, '0000000000000007.json.tmp'), JSON.stringify({ topic: 'keepwatch/site-1/events/cam-0', event: { id: 'e-7', n: 7 } }));
      writeFileSync(path.join(dir, '0000000000000008.json.tmp'), '{"topic":"keepwatch/site-1/ev');
      const published: Array<{ topic: string; event: object }> = [];
      const outbox = new EventOutbox({ dir, publish: async (topic, event) => void published.push({ topic, event }), logger: createLogger('silent') });
      assert.equal(outbox.pending, 2, 'the event file and the complete temp file are events');
      assert.deepEqual(readdirSync(dir), [OUTBOX_LOG_FILE], 'the old files are moved into the log');
      assert.deepEqual(readOutbox(dir).map((e) => e.topic), ['keepwatch/site-1/events/cam-1', 'keepwatch/site-1/events/cam-0']);
      outbox.add('keepwatch/site-1/events/cam-0', { id: 'e-9', n: 9 });
      const mode = statSync(path.join(dir, OUTBOX_LOG_FILE)).mode & 0o777;
      assert.equal(mode, 0o600, `the outbox log is 0600 (umask 022), not ${mode.toString(8)}`);
      outbox.start();
      assert.equal(await outbox.drain(2000), true);
      assert.deepEqual(published.map((p) => (p.event as { id: string }).id), ['e-5', 'e-7', 'e-9'], 'in order, the migrated ones first');
      outbox.close();
      // A second start publishes nothing again: the acknowledgements are in the log.
      const again: object[] = [];
      const reopened = new EventOutbox({ dir, publish: async (_t, event) => void again.push(event), logger: createLogger('silent') });
      assert.equal(reopened.pending, 0);
      assert.equal(readFileSync(path.join(dir, OUTBOX_LOG_FILE), 'utf8'), '', 'rewritten compactly at start');
      reopened.close();
      reopened.add('keepwatch/site-1/events/cam-0', { id: 'e-late' }); // after close (a late diagnostic): still stored
      assert.deepEqual(readOutbox(dir).map((e) => (e.event as { id: string }).id), ['e-late']);
      assert.deepEqual(again, [], 'a closed outbox publishes nothing');
    } finally {
      process.umask(old);
    }
  });

  it('an acknowledgement line lost in a crash publishes its event again; the log starts afresh once everything is acknowledged', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-outbox-')), 'outbox');
    const log = path.join(dir, OUTBOX_LOG_FILE);
    const published: string[] = [];
    let hold = true;
    const waiting: Array<() => void> = [];
    const publish = async (_topic: string, event: object) => {
      if (hold) await new Promise<void>((r) => waiting.push(r));
      published.push((event as { id: string }).id);
    };
    const o1 = new EventOutbox({ dir, publish, logger: createLogger('silent'), compactAfterBytes: 1024 });
    o1.start();
    for (let n = 0; n < 3; n++) o1.add('keepwatch/site-1/events/cam-0', { id: `e-${n}` });
    assert.equal(waiting.length, 3, 'all three handed to the transport');
    waiting.shift()!(); // e-0 and e-1 are acknowledged, e-2 is not
    waiting.shift()!();
    for (let i = 0; i < 20 && o1.pending > 1; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(o1.pending, 1);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /\n\{"ack":1\}\n\{"ack":2\}\n$/, 'an acknowledgement is a line of its own');
    o1.close();

    // The agent dies; a power cut lost the acknowledgement of e-1 (never synced) but not the one of e-0.
    writeFileSync(log, text.slice(0, -'{"ack":2}\n'.length));
    const o2 = new EventOutbox({ dir, publish, logger: createLogger('silent'), compactAfterBytes: 1024 });
    assert.deepEqual(readOutbox(dir).map((e) => (e.event as { id: string }).id), ['e-1', 'e-2'], 'the acknowledged event is not pending');
    hold = false;
    o2.start();
    for (let n = 3; n < 40; n++) o2.add('keepwatch/site-1/events/cam-0', { id: `e-${n}`, pad: 'x'.repeat(40) });
    assert.equal(await o2.drain(2000), true);
    assert.deepEqual(published, ['e-0', 'e-1', 'e-1', 'e-2', ...Array.from({ length: 37 }, (_, i) => `e-${i + 3}`)], 'in order; e-1 twice (its acknowledgement was lost), every other one once');
    const size = statSync(log).size;
    assert.ok(size < 1024, `the log was started afresh once it passed 1024 bytes with nothing pending (${size} bytes)`);
    assert.deepEqual(readOutbox(dir), []);
    o2.close();
  });
});
