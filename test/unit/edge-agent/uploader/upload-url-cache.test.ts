import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSegmentBlobName, segmentBlobName } from '../../../../shared/contracts/blob-naming';
import { SegmentExpired, UPLOAD_URLS_BATCH_MAX, UploadUrlCache } from '../../../../edge-agent/uploader/upload-url-cache';
import { UploadUrlsRefused, type UploadUrlsBatch } from '../../../../edge-agent/uploader/upload-urls-client';
import { toIso } from '../../../../shared/time';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const name = (i: number) => segmentBlobName('cam1', T0 + i * 10_000);
const urlOf = (n: string, tag = '') => `http://127.0.0.1:10000/devstoreaccount1/recordings/${n.replace(/:/g, '%3A')}?sp=c&sr=b&sig=x${tag}`;

/** A fake cloud: records each request's names and answers URLs (or `exists` for names in `stored`) expiring at `expiresOnMs`. */
function cloud(o: { expiresOnMs: number; stored?: Record<string, { bytes: number; sha256?: string }>; url?: (n: string) => string }) {
  const requests: string[][] = [];
  const request = async (names: readonly string[]): Promise<UploadUrlsBatch> => {
    requests.push([...names]);
    return {
      expiresOnMs: o.expiresOnMs,
      blobs: names.map((n) => (o.stored?.[n] ? { name: n, exists: true as const, ...o.stored[n] } : { name: n, url: (o.url ?? urlOf)(n) })),
    };
  };
  return { requests, request };
}

describe('UploadUrlCache (just in time, batched, never within 1 min of expiry)', () => {
  it('fetches the asked name with the upcoming ones in one request, then serves them from the cache', async () => {
    let now = T0;
    const c = cloud({ expiresOnMs: T0 + 15 * 60_000 });
    const cache = new UploadUrlCache({ request: c.request, container: 'recordings', now: () => now });
    assert.deepEqual(await cache.target(name(0), [name(1), name(2), name(0)]), { url: urlOf(name(0)) });
    assert.deepEqual(c.requests, [[name(0), name(1), name(2)]]);
    now += 60_000;
    assert.deepEqual(await cache.target(name(2), [name(3)]), { url: urlOf(name(2)) });
    assert.equal(c.requests.length, 1, 'a cached URL is used without asking');
    assert.deepEqual(await cache.target(name(3)), { url: urlOf(name(3)) });
    assert.deepEqual(c.requests[1], [name(3)]);
  });

  it('asks for at most 100 names per request', async () => {
    const c = cloud({ expiresOnMs: T0 + 15 * 60_000 });
    const cache = new UploadUrlCache({ request: c.request, container: 'recordings', now: () => T0 });
    await cache.target(name(0), Array.from({ length: 250 }, (_, i) => name(i + 1)));
    assert.equal(c.requests[0].length, UPLOAD_URLS_BATCH_MAX);
    assert.equal(c.requests[0][0], name(0));
  });

  it('never uses a URL with less than 1 min left: asks again instead', async () => {
    let now = T0;
    const c = cloud({ expiresOnMs: T0 + 5 * 60_000 });
    const cache = new UploadUrlCache({ request: c.request, container: 'recordings', now: () => now });
    await cache.target(name(0), [name(1)]);
    now = T0 + 4 * 60_000; // exactly 1 min left: still usable
    await cache.target(name(1));
    assert.equal(c.requests.length, 1);
    now += 1; // 59.999 s left
    await cache.target(name(1)).catch(() => undefined); // the fake answers the same expiry: now unusable
    assert.equal(c.requests.length, 2);
    assert.deepEqual(c.requests[1], [name(1)]);
    await assert.rejects(cache.target(name(1)), /no usable URL/);
  });

  it('hands out an exists answer once, and forget() makes the next call ask again', async () => {
    const stored = { [name(1)]: { bytes: 10, sha256: 'a'.repeat(64) } };
    const c = cloud({ expiresOnMs: T0 + 15 * 60_000, stored });
    const cache = new UploadUrlCache({ request: c.request, container: 'recordings', now: () => T0 });
    await cache.target(name(0), [name(1)]);
    assert.deepEqual(await cache.target(name(1)), { exists: { bytes: 10, sha256: 'a'.repeat(64) } });
    assert.equal(c.requests.length, 1, 'the prefetched exists answer is used');
    cache.forget(name(0));
    await cache.target(name(0));
    assert.equal(c.requests.length, 2, 'a forgotten URL is asked for again');
  });

  it('a start before the window the cloud refused is expired: asked alone once, then never again nor in a batch; a start after the window is not', async () => {
    const earliestMs = T0 + 25_000; // name(0..2) start before it
    const latestMs = T0 + 60_000; // name(7) starts after it
    const requests: string[][] = [];
    const ok = cloud({ expiresOnMs: T0 + 15 * 60_000 });
    const request = async (names: readonly string[]): Promise<UploadUrlsBatch> => {
      requests.push([...names]);
      const bad = names.find((n) => parseSegmentBlobName(n)!.startMs < earliestMs || parseSegmentBlobName(n)!.startMs > latestMs);
      if (bad) throw new UploadUrlsRefused(400, 'TimeOutOfRange', `blob ${bad}: segment start is out of range`, { earliest: toIso(earliestMs), latest: toIso(latestMs) });
      return ok.request(names);
    };
    const cache = new UploadUrlCache({ request, container: 'recordings', now: () => T0 });
    await assert.rejects(cache.target(name(0), [name(1), name(2), name(3)]), (e: unknown) => e instanceof SegmentExpired && e.message.includes(name(0)) && e.message.includes(`blob ${name(0)}: segment start is out of range`));
    assert.deepEqual(requests, [[name(0), name(1), name(2), name(3)], [name(0)]], 'the refused batch, then the name alone');
    await assert.rejects(cache.target(name(1)), SegmentExpired);
    assert.equal(requests.length, 2, 'an older start than the refused earliest: expired without asking');
    assert.deepEqual(await cache.target(name(3), [name(2), name(4)]), { url: urlOf(name(3)) });
    assert.deepEqual(requests[2], [name(3), name(4)], 'expired names are left out of batches');
    // Ahead of the window: refused, not expired (the cloud's clock will get there).
    await assert.rejects(cache.target(name(7)), (e: unknown) => e instanceof UploadUrlsRefused && !(e instanceof SegmentExpired));
  });

  it('refuses a URL that is not the asked blob in the configured container', async () => {
    const other = cloud({ expiresOnMs: T0 + 15 * 60_000, url: (n) => urlOf(n).replace('/recordings/', '/elsewhere/') });
    const cache = new UploadUrlCache({ request: other.request, container: 'recordings', now: () => T0 });
    await assert.rejects(cache.target(name(0)), /not that blob in container 'recordings'/);
    const swapped = cloud({ expiresOnMs: T0 + 15 * 60_000, url: () => urlOf(name(9)) });
    await assert.rejects(new UploadUrlCache({ request: swapped.request, container: 'recordings', now: () => T0 }).target(name(0)), /not that blob/);
  });
});
