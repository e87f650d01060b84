import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { redact, redactValue } from '../../../shared/redact';

/**
 * Texts that made the earlier patterns backtrack once per start position (quadratic): 16 KiB took 0.2 to 0.7 s each,
 * 1 MiB would take hours. Each is built to `bytes` characters.
 */
const ADVERSARIAL: Record<string, (bytes: number) => string> = {
  'a run of letters (scheme candidates)': (n) => 'a'.repeat(n),
  'a long URL without @': (n) => `http://${'a'.repeat(n)}`,
  'a long user:password without @': (n) => `http://a:${'b'.repeat(n)}`,
  'letters, then ://': (n) => `${'x'.repeat(n / 2)}://${'y'.repeat(n / 2)}`,
  'dotted letters': (n) => 'a.'.repeat(n / 2),
  'eyJ- repeated (JWT candidates at every word boundary)': (n) => 'eyJ-'.repeat(n / 4),
  'eyJ and a run without a dot': (n) => ` eyJ${'a'.repeat(n)}`,
  'a query with a long sig': (n) => `?sig=${'a'.repeat(n)}`,
};

/**
 * Redacts each adversarial text of `bytes` characters in a worker thread, which is terminated after `deadlineMs`
 * (a quadratic regex blocks its thread, so only another thread can stop it). Resolves with the names that finished.
 */
function redactInWorker(bytes: number, deadlineMs: number): Promise<string[]> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { redact } = require(workerData.module);
    const shapes = ${JSON.stringify(Object.fromEntries(Object.entries(ADVERSARIAL).map(([k, f]) => [k, f.toString()])))};
    for (const [name, source] of Object.entries(shapes)) {
      redact(eval(source)(workerData.bytes));
      parentPort.postMessage(name);
    }`;
  return new Promise((resolve, reject) => {
    const done: string[] = [];
    const worker = new Worker(code, { eval: true, workerData: { module: require.resolve('../../../shared/redact'), bytes } });
    const timer = setTimeout(() => void worker.terminate(), deadlineMs);
    worker.on('message', (name: string) => done.push(name));
    worker.on('error', reject);
    worker.on('exit', () => {
      clearTimeout(timer);
      resolve(done);
    });
  });
}

describe('redact', () => {
  it('hides RTSP and HTTP userinfo', () => {
    assert.equal(redact('rtsp://admin:s3cret@10.0.0.5:554/stream'), 'rtsp://***@10.0.0.5:554/stream');
    assert.equal(redact('open http://user@host/x'), 'open http://***@host/x');
  });

  it('hides SAS signatures, function keys and playback-token signatures in URLs', () => {
    const url = 'http://127.0.0.1:10000/devstoreaccount1/recordings/cam1/a.ts?sv=2026-04-06&se=2026-11-21T17%3A05%3A40Z&sr=b&sp=r&sig=GoVqc19p%2BkxM%3D';
    assert.equal(redact(url), url.replace(/sig=[^&]+/, 'sig=***'));
    assert.equal(redact('/api/cameras?code=abc123&x=1'), '/api/cameras?code=***&x=1');
    assert.equal(redact('/api/cameras/c/playlist.m3u8?start=a&sig=Zm9v_-x'), '/api/cameras/c/playlist.m3u8?start=a&sig=***');
  });

  it('hides account keys and shared access keys in connection strings', () => {
    const cs = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM0==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;';
    const out = redact(cs);
    assert.ok(!out.includes('Eby8vdM0'));
    assert.match(out, /AccountKey=\*\*\*;/);
    assert.match(redact('Endpoint=sb://x/;SharedAccessKeyName=a;SharedAccessKey=abc='), /SharedAccessKey=\*\*\*/);
  });

  it('hides JWTs (Entra access tokens) and Bearer tokens', () => {
    const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2V2ZW50Z3JpZC5henVyZS5uZXQifQ.c2lnbmF0dXJlLWJ5dGVz-_x';
    assert.equal(redact(`CONNECT refused for token ${jwt}.`), 'CONNECT refused for token eyJ***.');
    assert.equal(redact('Authorization: Bearer abc.def-ghi~jkl/mno+pqr=='), 'Authorization: Bearer ***');
    assert.equal(redact('a Bearer token is required'), 'a Bearer token is required');
    assert.deepEqual(redactValue({ properties: { authenticationMethod: 'OAUTH2-JWT', authenticationData: 'opaque' } }), {
      properties: { authenticationMethod: 'OAUTH2-JWT', authenticationData: '***' },
    });
  });

  it('hides bearer credentials (device secrets) and secret-named fields', () => {
    const secret = 'q9G3f0mXK2c7yT1bVnR8sLwPzA4dE6hJ5uIoYtQxWc0';
    assert.equal(redact(`authorization: Bearer ${secret}`), 'authorization: Bearer ***');
    assert.deepEqual(redactValue({ upload: { apiUrl: 'http://h/api', deviceSecret: secret } }), { upload: { apiUrl: 'http://h/api', deviceSecret: '***' } });
  });

  it('hides a JWT that follows a failed candidate in the same run of characters', () => {
    assert.equal(redact('eyJab.c-eyJxxxx.yyyy.zz rest'), 'eyJab.c-eyJ*** rest');
    assert.equal(redact('eyJx.eyJaaaa.bbbb.cc'), 'eyJx.eyJ***');
    assert.equal(redact('xeyJaaaa.bbbb.cc'), 'xeyJaaaa.bbbb.cc', 'no word boundary before eyJ');
    assert.equal(redact('1://u:p@h 1a://u:p@h'), '1://u:p@h 1a://***@h', 'a scheme needs a letter');
  });

  it('takes time linear in the text: 1 MiB of each adversarial text is redacted well within 10 s (hours when quadratic)', async () => {
    for (const [name, make] of Object.entries(ADVERSARIAL)) assert.equal(redact(make(64)).length > 0, true, name);
    const finished = await redactInWorker(1024 * 1024, 10_000);
    assert.deepEqual(finished, Object.keys(ADVERSARIAL), 'these shapes did not finish in 10 s');
  });

  it('leaves ordinary text alone', () => {
    assert.equal(redact('segment cam1/2026/11/21/10/x.ts uploaded'), 'segment cam1/2026/11/21/10/x.ts uploaded');
  });

  it('redactValue walks plain objects and arrays and masks secret-named keys', () => {
    const v = redactValue({ url: 'rtsp://u:p@h/s', nested: [{ password: 'pw', apiKey: 'k', note: 'code=1' }], n: 3 });
    assert.deepEqual(v, { url: 'rtsp://***@h/s', nested: [{ password: '***', apiKey: '***', note: 'code=1' }], n: 3 });
  });
});
