import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redact, redactValue } from '../../../shared/redact';

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

  it('leaves ordinary text alone', () => {
    assert.equal(redact('segment cam1/2026/11/21/10/x.ts uploaded'), 'segment cam1/2026/11/21/10/x.ts uploaded');
  });

  it('redactValue walks plain objects and arrays and masks secret-named keys', () => {
    const v = redactValue({ url: 'rtsp://u:p@h/s', nested: [{ password: 'pw', apiKey: 'k', note: 'code=1' }], n: 3 });
    assert.deepEqual(v, { url: 'rtsp://***@h/s', nested: [{ password: '***', apiKey: '***', note: 'code=1' }], n: 3 });
  });
});
