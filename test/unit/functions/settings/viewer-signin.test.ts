import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettings } from '../../../../functions/settings';
import { defaultViewerScopes } from '../../../../functions/settings/viewer-signin';

const BASE = { KEEPWATCH_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', KEEPWATCH_PLAYBACK_TOKEN_SECRET: 'x'.repeat(40) };
const ISSUER = { KEEPWATCH_AUTH_ISSUER: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0', KEEPWATCH_AUTH_AUDIENCE: 'api://keepwatch,11111111-2222-3333-4444-555555555555' };

describe('viewer sign-in settings (KEEPWATCH_VIEWER_CLIENT_ID, KEEPWATCH_VIEWER_SCOPES)', () => {
  it('off without a client id: the viewer asks for the key', () => {
    assert.equal(parseSettings(BASE).viewerSignIn, undefined);
    assert.equal(parseSettings({ ...BASE, ...ISSUER }).viewerSignIn, undefined);
  });

  it('on with issuer and client id; scopes default to openid profile offline_access and the first audience /.default', () => {
    assert.deepEqual(parseSettings({ ...BASE, ...ISSUER, KEEPWATCH_VIEWER_CLIENT_ID: ' 99999999-8888-7777-6666-555555555555 ' }).viewerSignIn, {
      issuer: ISSUER.KEEPWATCH_AUTH_ISSUER,
      clientId: '99999999-8888-7777-6666-555555555555',
      scopes: 'openid profile offline_access api://keepwatch/.default',
    });
    assert.equal(defaultViewerScopes('api://keepwatch/'), 'openid profile offline_access api://keepwatch/.default');
  });

  it('takes given scopes, whitespace normalised', () => {
    const s = parseSettings({ ...BASE, ...ISSUER, KEEPWATCH_VIEWER_CLIENT_ID: 'viewer', KEEPWATCH_VIEWER_SCOPES: 'openid  profile\tapi://keepwatch/user_impersonation' });
    assert.equal(s.viewerSignIn?.scopes, 'openid profile api://keepwatch/user_impersonation');
  });

  it('refuses a client id without an issuer, scopes without a client id or without openid, and bad characters', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ KEEPWATCH_VIEWER_CLIENT_ID: 'viewer' }, /KEEPWATCH_VIEWER_CLIENT_ID: needs KEEPWATCH_AUTH_ISSUER/],
      [{ ...ISSUER, KEEPWATCH_VIEWER_SCOPES: 'openid' }, /KEEPWATCH_VIEWER_SCOPES: only applies with KEEPWATCH_VIEWER_CLIENT_ID/],
      [{ ...ISSUER, KEEPWATCH_VIEWER_CLIENT_ID: 'viewer', KEEPWATCH_VIEWER_SCOPES: 'profile api://keepwatch/.default' }, /KEEPWATCH_VIEWER_SCOPES: must include openid/],
      [{ ...ISSUER, KEEPWATCH_VIEWER_CLIENT_ID: 'viewer', KEEPWATCH_VIEWER_SCOPES: 'openid "quoted"' }, /KEEPWATCH_VIEWER_SCOPES: .*not a scope token/],
      [{ ...ISSUER, KEEPWATCH_VIEWER_CLIENT_ID: 'a b<script>' }, /KEEPWATCH_VIEWER_CLIENT_ID: expected 1 to 128/],
    ];
    for (const [env, pattern] of cases) assert.throws(() => parseSettings({ ...BASE, ...env }), pattern, JSON.stringify(env));
  });
});
