import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WorkerHttpClient } from '../../../bench/worker-http-client';

describe('WorkerHttpClient (the latency benchmarks’ client on a worker thread)', () => {
  let server: http.Server;
  let base: string;
  const client = new WorkerHttpClient();
  const big = Buffer.alloc(3_000_000, 0x61);

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-length': big.length });
        res.end(big);
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 120);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`no ${req.url} (${req.headers['x-test'] ?? 'no header'})`);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await client.close();
    server.close();
  });

  it('returns the whole body, the status and the headers it was given', async () => {
    const r = await client.get(`${base}/big`);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, big.length);
    assert.ok(r.body.equals(big));
    const missing = await client.get(`${base}/nothing`, { 'x-test': 'sent' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.toString(), 'no /nothing (sent)');
  });

  it('times from sending to the last byte, in the worker', async () => {
    const r = await client.get(`${base}/slow`);
    assert.equal(r.body.toString(), 'late');
    assert.ok(r.ms >= 110, `took ${r.ms} ms, the server waits 120 ms`);
  });

  it('rejects when the request cannot be made', async () => {
    await assert.rejects(client.get('http://127.0.0.1:1/'), /GET failed in the client worker/);
  });
});
