import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { viewerAsset } from '../../../../functions/viewer/viewer-asset';
import { VIEWER_ASSETS, viewerFiles } from '../../../../functions/viewer/viewer-files';
import { viewerPage } from '../../../../functions/viewer/viewer-page';
import { resetSettings } from '../../../../functions/settings';

const context = () => new InvocationContext({ functionName: 'viewer', logHandler: () => {} });
const request = (path: string, params: Record<string, string> = {}) => new HttpRequest({ method: 'GET', url: `http://127.0.0.1:7071/api/${path}`, params });

/** The settings the page reads: storage (its blob endpoint goes into the CSP) and, for sign-in, the issuer and client id. */
const BASE_ENV = { KEEPWATCH_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', KEEPWATCH_PLAYBACK_TOKEN_SECRET: 'x'.repeat(40) };
const SIGNIN_ENV = { KEEPWATCH_AUTH_ISSUER: 'https://login.example.test/tenant/v2.0', KEEPWATCH_AUTH_AUDIENCE: 'api://keepwatch', KEEPWATCH_VIEWER_CLIENT_ID: 'viewer-app' };
const saved = { ...process.env };
function useEnv(env: Record<string, string>): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('KEEPWATCH_')) delete process.env[k];
  Object.assign(process.env, env);
  resetSettings();
}

describe('viewer page and assets', () => {
  before(() => useEnv(BASE_ENV));
  after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    resetSettings();
  });

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
    // Without sign-in: an empty sign-in configuration; fetches to the API and the blob endpoint only.
    assert.ok(html.includes('<meta name="keepwatch-signin" content="{}">'));
    assert.match(headers['content-security-policy'], /connect-src 'self' http:\/\/127\.0\.0\.1:10000;/);
  });

  it('with sign-in configured the page carries issuer, client id and scopes, and may connect to the issuer only', async () => {
    useEnv({ ...BASE_ENV, ...SIGNIN_ENV });
    try {
      const res = await viewerPage(request('viewer'), context());
      assert.equal(res.status, 200);
      const html = Buffer.from(res.body as Buffer).toString('utf8');
      const meta = /<meta name="keepwatch-signin" content="([^"]*)">/.exec(html)?.[1] ?? '';
      const config = JSON.parse(meta.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)))) as Record<string, string>;
      assert.deepEqual(config, { issuer: SIGNIN_ENV.KEEPWATCH_AUTH_ISSUER, clientId: 'viewer-app', scopes: 'openid profile offline_access api://keepwatch/.default' });
      const csp = (res.headers as Record<string, string>)['content-security-policy'];
      assert.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:10000 https:\/\/login\.example\.test;/);
      assert.doesNotMatch(csp, /connect-src[^;]*(\*|https?:[ ;])/);
    } finally {
      useEnv(BASE_ENV);
    }
  });

  it('the sign-in module imports oauth4webapi by its content version, next to it', async () => {
    const { assets } = viewerFiles();
    const signin = assets['viewer-signin.js'].body.toString('utf8');
    assert.ok(signin.includes(`from './oauth4webapi.js?v=${assets['oauth4webapi.js'].version}'`));
    assert.doesNotMatch(signin, /\{\{/);
    const version = (require('oauth4webapi/package.json') as { version: string }).version;
    assert.ok(assets['oauth4webapi.js'].body.toString('utf8').includes(`const VERSION = 'v${version}'`), `oauth4webapi ${version}`);
    assert.doesNotMatch(assets['oauth4webapi.js'].body.toString('utf8'), /sourceMappingURL/);
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
