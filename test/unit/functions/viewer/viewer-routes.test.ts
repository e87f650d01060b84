import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { viewerAsset } from '../../../../functions/viewer/viewer-asset';
import { VIEWER_ASSETS, viewerFiles } from '../../../../functions/viewer/viewer-files';
import { viewerPage } from '../../../../functions/viewer/viewer-page';

const context = () => new InvocationContext({ functionName: 'viewer', logHandler: () => {} });
const request = (path: string, params: Record<string, string> = {}) => new HttpRequest({ method: 'GET', url: `http://127.0.0.1:7071/api/${path}`, params });

describe('viewer page and assets', () => {
  it('the page names every asset by its content version and keeps no template markers', async () => {
    const res = await viewerPage(request('viewer'), context());
    assert.equal(res.status, 200);
    const html = Buffer.from(res.body as Buffer).toString('utf8');
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /\{\{/);
    const { assets } = viewerFiles();
    // share.js and share.css belong to the share link's page (test/unit/functions/shares/share-page.test.ts).
    for (const name of VIEWER_ASSETS.filter((n) => !n.startsWith('share.'))) assert.ok(html.includes(`"viewer/${name}?v=${assets[name].version}"`), name);
    const headers = res.headers as Record<string, string>;
    assert.equal(headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(headers['cache-control'], 'no-cache');
    assert.match(headers['content-security-policy'], /script-src 'self';/);
    // Tiles show the latest preview fetched with the key (a blob: URL); thumbnails are the signed preview URLs.
    assert.match(headers['content-security-policy'], /img-src 'self' data: blob: https:;/);
  });

  it('assets are cached for a year; hls.js is the installed package', async () => {
    const res = await viewerAsset(request('viewer/hls.min.js', { asset: 'hls.min.js' }), context());
    assert.equal(res.status, 200);
    const headers = res.headers as Record<string, string>;
    assert.equal(headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(headers['content-type'], 'text/javascript; charset=utf-8');
    const version = (require('hls.js/package.json') as { version: string }).version;
    assert.ok(Buffer.from(res.body as Buffer).toString('utf8').includes(version), `hls.js ${version}`);
  });

  it('404 NotFound for any other file name, including a path', async () => {
    for (const asset of ['index.html', '../settings.js', 'viewer.js.map', '']) {
      const res = await viewerAsset(request('viewer/x', { asset }), context());
      assert.equal(res.status, 404, asset);
      assert.equal((res.jsonBody as { error: { code: string } }).error.code, 'NotFound');
    }
  });
});
