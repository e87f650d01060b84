import { z } from 'zod';
import { addProblem, trimmedText } from './env';

/**
 * How the web viewer signs a person in (functions/viewer/viewer-signin.js; docs/viewer.md "Sign-in"): the OpenID
 * Connect authorization code flow with PKCE (S256), `state` and `nonce`, run in the browser as a public client (an
 * Entra "single-page application" registration). The page receives these values embedded in its HTML.
 */
export interface ViewerSignInSettings {
  /** The issuer (`KEEPWATCH_AUTH_ISSUER`): the browser reads `{issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** The viewer's client id at the issuer (`KEEPWATCH_VIEWER_CLIENT_ID`); not a secret (a public client). */
  clientId: string;
  /** Scopes it asks for, space-separated (`KEEPWATCH_VIEWER_SCOPES`). */
  scopes: string;
}

const CLIENT_ID = /^[A-Za-z0-9._:/-]{1,128}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/; // RFC 6749 §3.3 scope-token

/**
 * The default scopes: `openid profile offline_access` (an ID token with the name, a refresh token where the issuer gives
 * one to a public client) and `{audience}/.default`, Entra's way to ask for an access token of the API with the app
 * roles assigned to the person (the development issuer ignores it and issues its audience).
 */
export function defaultViewerScopes(audience: string): string {
  return `openid profile offline_access ${audience.replace(/\/+$/, '')}/.default`;
}

/**
 * `KEEPWATCH_VIEWER_CLIENT_ID` (1..128 of letters, digits, `._:/-`; Entra: the SPA registration's application id) turns
 * sign-in on in the viewer; it needs `KEEPWATCH_AUTH_ISSUER` (the issuer the API trusts, functions/settings/auth.ts).
 * `KEEPWATCH_VIEWER_SCOPES` (space-separated scope tokens, with `openid`) defaults to {@link defaultViewerScopes} of the
 * first `KEEPWATCH_AUTH_AUDIENCE`. Unset client id = `viewerSignIn: undefined`: the viewer asks for the function key.
 */
export const viewerSignInSchema = z
  .object({
    KEEPWATCH_AUTH_ISSUER: trimmedText,
    KEEPWATCH_AUTH_AUDIENCE: trimmedText,
    KEEPWATCH_VIEWER_CLIENT_ID: trimmedText,
    KEEPWATCH_VIEWER_SCOPES: trimmedText,
  })
  .transform((s, ctx): { viewerSignIn?: ViewerSignInSettings } => {
    const clientId = s.KEEPWATCH_VIEWER_CLIENT_ID;
    if (clientId === undefined) {
      if (s.KEEPWATCH_VIEWER_SCOPES !== undefined) addProblem(ctx, 'KEEPWATCH_VIEWER_SCOPES', 'only applies with KEEPWATCH_VIEWER_CLIENT_ID (viewer sign-in is off without it)');
      return {};
    }
    if (!CLIENT_ID.test(clientId)) addProblem(ctx, 'KEEPWATCH_VIEWER_CLIENT_ID', 'expected 1 to 128 letters, digits or ._:/- (Entra: the application (client) id of the viewer registration)', clientId);
    if (s.KEEPWATCH_AUTH_ISSUER === undefined) {
      addProblem(ctx, 'KEEPWATCH_VIEWER_CLIENT_ID', 'needs KEEPWATCH_AUTH_ISSUER: the viewer signs in at the issuer whose tokens the API accepts');
      return {};
    }
    const audience = (s.KEEPWATCH_AUTH_AUDIENCE ?? '').split(',').map((a) => a.trim()).filter(Boolean)[0];
    let scopes = s.KEEPWATCH_VIEWER_SCOPES;
    if (scopes !== undefined) {
      const tokens = scopes.split(/\s+/);
      const bad = tokens.filter((t) => !SCOPE.test(t));
      if (bad.length) addProblem(ctx, 'KEEPWATCH_VIEWER_SCOPES', `${bad.map((t) => JSON.stringify(t)).join(', ')} is not a scope token (RFC 6749 §3.3)`);
      else if (!tokens.includes('openid')) addProblem(ctx, 'KEEPWATCH_VIEWER_SCOPES', 'must include openid (the viewer checks the ID token and its nonce)');
      scopes = tokens.join(' ');
    } else {
      scopes = audience === undefined ? 'openid profile offline_access' : defaultViewerScopes(audience);
    }
    return { viewerSignIn: { issuer: s.KEEPWATCH_AUTH_ISSUER, clientId, scopes } };
  });
