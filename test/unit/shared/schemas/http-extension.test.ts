import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertCameraRejected, parsedCamera } from '../../../helpers/camera-config';

const config = parsedCamera;
const rejects = assertCameraRejected;

describe('agent config: camera httpExtension (AVA HTTP extension)', () => {
  it('applies the defaults: 1 sample/s, jpeg quality 90, camera size, PT5S timeout', () => {
    const x = config({ httpExtension: { url: 'http://127.0.0.1:8080/score' } }).httpExtension!;
    assert.deepEqual(x, { url: 'http://127.0.0.1:8080/score', maximumSamplesPerSecond: 1, headers: {}, image: { format: 'jpeg', quality: 90, scale: undefined }, timeoutMs: 5000 });
  });

  it('takes format, scale, headers and timeout', () => {
    const x = config({
      httpExtension: { url: 'https://ai.example/score', maximumSamplesPerSecond: 0.5, image: { format: 'png', scale: { width: 416, height: 416 } }, headers: { 'x-api-key': 's3cret' }, timeout: 'PT0.5S' },
    }).httpExtension!;
    assert.deepEqual(x.image, { format: 'png', quality: undefined, scale: { mode: 'pad', width: 416, height: 416 } });
    assert.equal(x.timeoutMs, 500);
    assert.equal(x.maximumSamplesPerSecond, 0.5);
    assert.deepEqual(config({ httpExtension: { url: 'http://h/x', image: { scale: { mode: 'preserveAspectRatio', height: 240 } } } }).httpExtension!.image.scale, { mode: 'preserveAspectRatio', height: 240 });
  });

  it('rejects bad values naming the key', () => {
    rejects({ httpExtension: { url: 'ftp://h/x' } }, /httpExtension\.url: expected an http:\/\/ or https:\/\/ URL/);
    rejects({ httpExtension: {} }, /httpExtension\.url/);
    rejects({ httpExtension: { url: 'http://h/x', maximumSamplesPerSecond: 0 } }, /maximumSamplesPerSecond/);
    rejects({ httpExtension: { url: 'http://h/x', maximumSamplesPerSecond: 11 } }, /maximumSamplesPerSecond/);
    rejects({ httpExtension: { url: 'http://h/x', image: { format: 'raw' } } }, /image\.format/);
    rejects({ httpExtension: { url: 'http://h/x', image: { format: 'png', quality: 80 } } }, /image\.quality: quality applies to jpeg only, not png/);
    rejects({ httpExtension: { url: 'http://h/x', image: { quality: 101 } } }, /image\.quality/);
    rejects({ httpExtension: { url: 'http://h/x', image: { scale: { mode: 'stretch', width: 300 } } } }, /image\.scale: stretch needs both width and height/);
    rejects({ httpExtension: { url: 'http://h/x', image: { scale: { mode: 'preserveAspectRatio' } } } }, /preserveAspectRatio needs width, height or both/);
    rejects({ httpExtension: { url: 'http://h/x', timeout: 'PT2M' } }, /httpExtension\.timeout: PT2M is outside/);
    rejects({ httpExtension: { url: 'http://h/x', headers: { 'bad header': 'v' } } }, /httpExtension\.headers/);
    rejects({ httpExtension: { url: 'http://h/x', samplingOptions: {} } }, /unknown key 'samplingOptions'/);
  });
});
