/*
 * Keepwatch viewer sign-in (served at GET /api/viewer/viewer-signin.js, an ES module; no bundler).
 *
 * With sign-in configured (the page's <meta name="keepwatch-signin"> carries {issuer, clientId, scopes}: the API's
 * KEEPWATCH_AUTH_ISSUER, KEEPWATCH_VIEWER_CLIENT_ID, KEEPWATCH_VIEWER_SCOPES) the viewer signs the person in with the
 * OpenID Connect authorization code flow and PKCE (S256), with `state` and `nonce`, as a public client, using
 * oauth4webapi (served from the app's node_modules next to this file): discovery, the authorization request, the code
 * exchange and the ID token checks (iss, aud, exp, nonce) are the library's. It never asks for the function key.
 *
 * - Tokens live in sessionStorage (this tab only, gone when it closes; never localStorage) and are renewed
 *   RENEW_BEFORE_MS before they expire: with the refresh token when the issuer gave one, otherwise by signing in again.
 * - The key mode stays: a `#key=` in the address (what `npm start` prints) or a key already kept in this tab wins, and
 *   without sign-in configured the viewer asks for the key (viewer.js).
 * - It sets `window.keepwatchAuth` for viewer.js: { mode: 'signin' | 'key', available, ready, headers(), user(),
 *   unauthorized(), forbidden(message) }.
 */
import * as oauth from '{{module:oauth4webapi.js}}';

const KEY_STORAGE = 'keepwatch.functionKey';
const TOKENS = 'keepwatch.signin.tokens';
const PENDING = 'keepwatch.signin.pending';
const SIGNED_OUT = 'keepwatch.signin.signedOut';
// ---- pure helpers (no DOM; test/unit/functions/viewer/viewer-signin.test.ts runs this block alone) -------------
/** Renew this long before the access token expires (and at most a tenth of its lifetime before). */
const RENEW_BEFORE_MS = 2 * 60 * 1000;
/** A 401 this soon after signing in is not answered with another sign-in (no redirect loop). */
const LOOP_GUARD_MS = 30 * 1000;

/** The sign-in configuration the page embeds (the meta element's content, JSON); `{}` when sign-in is off or it is malformed. */
function signInConfig(text) {
  try {
    const c = JSON.parse(text || '{}');
    return c && typeof c.issuer === 'string' && typeof c.clientId === 'string' ? c : {};
  } catch {
    return {};
  }
}

/** The payload of a JWT, for display only (who is signed in, their roles); never trusted for access: the API decides. */
function jwtPayload(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

/** Milliseconds from nowMs until a token obtained at obtainedAtMs and expiring at expiresAtMs should be renewed (≥ 0). */
function renewDelayMs(obtainedAtMs, expiresAtMs, nowMs) {
  const before = Math.min(RENEW_BEFORE_MS, (expiresAtMs - obtainedAtMs) / 10);
  return Math.max(0, expiresAtMs - before - nowMs);
}
// ---- end of pure helpers ------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

const meta = document.querySelector('meta[name="keepwatch-signin"]');
const config = signInConfig(meta ? meta.content : '');
const available = !!config.issuer;
const keyGiven = /(?:^#|&)key=/.test(location.hash) || !!sessionStorage.getItem(KEY_STORAGE);
const mode = available && !keyGiven ? 'signin' : 'key';
const redirectUri = location.origin + location.pathname;
const client = { client_id: config.clientId };
const httpOptions = available ? { [oauth.allowInsecureRequests]: new URL(config.issuer).protocol === 'http:' } : {};
let as;
let renewTimer;

function readTokens() {
  try { return JSON.parse(sessionStorage.getItem(TOKENS) || 'null'); } catch { return null; }
}

async function discover() {
  if (!as) {
    const issuer = new URL(config.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...httpOptions }));
  }
  return as;
}

/** Shows the sign-in panel with text; `button` shows the Sign in button. */
function panel(text, button) {
  $('main').hidden = true;
  $('key-form').hidden = true;
  $('signin').hidden = false;
  $('signin-text').textContent = text;
  $('signin-text').className = /not|fail|could/i.test(text) ? 'error' : '';
  $('sign-in').hidden = !button;
}

function showUser(t) {
  $('user').hidden = !t;
  $('sign-out').hidden = !t;
  if (!t) return;
  $('user-name').textContent = t.name;
  $('user-roles').textContent = (t.roles.length ? t.roles.map((r) => r.replace(/^Keepwatch\./, '')).join(', ') : 'no role') + (t.cameras ? ' · cameras ' + t.cameras.join(', ') : '');
}

/** Goes to the issuer's sign-in page (authorization request with PKCE S256, state, nonce). Never resolves. */
async function signIn() {
  panel('Signing in…', false);
  const server = await discover();
  const pending = { verifier: oauth.generateRandomCodeVerifier(), state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), hash: location.hash };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  sessionStorage.removeItem(SIGNED_OUT);
  const url = new URL(server.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scopes || 'openid');
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  location.assign(url.href);
  return new Promise(() => {});
}

/** Keeps a token response: the access token, when it expires, the refresh token (kept if none new), the name and roles. */
function keep(result, idClaims, previous) {
  const nowMs = Date.now();
  const access = jwtPayload(result.access_token);
  const t = {
    accessToken: result.access_token,
    obtainedAtMs: nowMs,
    expiresAtMs: nowMs + (typeof result.expires_in === 'number' ? result.expires_in * 1000 : 3600 * 1000),
    refreshToken: result.refresh_token || (previous && previous.refreshToken) || null,
    name: (idClaims && (idClaims.name || idClaims.preferred_username)) || access.name || (previous && previous.name) || access.sub || 'signed in',
    roles: Array.isArray(access.roles) ? access.roles : [],
    cameras: Array.isArray(access.cameras) ? access.cameras : null,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(t));
  return t;
}

/** The issuer redirected back with `?code=…&state=…` (or `?error=…`): exchange the code, check the ID token. */
async function finishSignIn(pending) {
  const server = await discover();
  const current = new URL(location.href);
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', location.pathname + (pending.hash || ''));
  const params = oauth.validateAuthResponse(server, client, current, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), params, redirectUri, pending.verifier, httpOptions);
  const result = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  const t = keep(result, oauth.getValidatedIdTokenClaims(result), null);
  t.signedInAtMs = Date.now();
  sessionStorage.setItem(TOKENS, JSON.stringify(t));
  return t;
}

/** Renews with the refresh token if there is one, otherwise signs in again (a redirect). */
async function renew() {
  const t = readTokens();
  if (t && t.refreshToken) {
    try {
      const server = await discover();
      const response = await oauth.refreshTokenGrantRequest(server, client, oauth.None(), t.refreshToken, httpOptions);
      const result = await oauth.processRefreshTokenResponse(server, client, response);
      const next = keep(result, oauth.getValidatedIdTokenClaims(result), t);
      showUser(next);
      schedule(next);
      return;
    } catch (err) {
      console.warn('token refresh failed; signing in again', err);
    }
  }
  sessionStorage.removeItem(TOKENS);
  await signIn();
}

function schedule(t) {
  clearTimeout(renewTimer);
  renewTimer = setTimeout(() => { renew(); }, renewDelayMs(t.obtainedAtMs, t.expiresAtMs, Date.now()));
}

function signOut() {
  clearTimeout(renewTimer);
  sessionStorage.removeItem(TOKENS);
  sessionStorage.setItem(SIGNED_OUT, '1');
  showUser(null);
  window.dispatchEvent(new Event('keepwatch:signed-out'));
  const end = as && as.end_session_endpoint;
  if (end) {
    const url = new URL(end);
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('post_logout_redirect_uri', redirectUri);
    location.assign(url.href);
    return;
  }
  panel('You are signed out.', true);
}

/** Resolves once there is a valid access token (after coming back from the issuer, or one kept in this tab). */
async function start() {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  const query = new URLSearchParams(location.search);
  let t;
  if (pending && (query.has('code') || query.has('error'))) {
    try {
      t = await finishSignIn(pending);
    } catch (err) {
      panel('Sign-in failed: ' + ((err && (err.error_description || err.message)) || err), true);
      return new Promise(() => {});
    }
  } else {
    t = readTokens();
    if (!t && sessionStorage.getItem(SIGNED_OUT)) {
      panel('You are signed out.', true);
      return new Promise(() => {});
    }
    if (!t || t.expiresAtMs - Date.now() < 10 * 1000) {
      if (t) await renew(); else await signIn();
      t = readTokens();
    }
  }
  $('signin').hidden = true;
  showUser(t);
  schedule(t);
}

let ready = Promise.resolve();
if (mode === 'signin') {
  $('sign-in').addEventListener('click', () => { signIn(); });
  $('sign-out').addEventListener('click', signOut);
  ready = discover().then(start, (err) => {
    panel('Could not reach the sign-in service (' + config.issuer + '): ' + err.message, true);
    return new Promise(() => {});
  });
}

window.keepwatchAuth = {
  /** 'signin': bearer tokens from the issuer; 'key': the function key (viewer.js asks for it). */
  mode,
  /** Whether sign-in is configured (then forgetting the key leads to sign-in). */
  available,
  /** Resolves when API calls can be made. */
  ready,
  /** Headers that authenticate an API call in sign-in mode. */
  headers() {
    const t = readTokens();
    return t ? { authorization: 'Bearer ' + t.accessToken } : {};
  },
  /** The signed-in person: { name, roles, cameras } or null. */
  user() { return readTokens(); },
  /** The API answered 401: the token is gone or no longer accepted: sign in again (not in a loop). */
  unauthorized() {
    const t = readTokens();
    sessionStorage.removeItem(TOKENS);
    showUser(null);
    if (t && t.signedInAtMs && Date.now() - t.signedInAtMs < LOOP_GUARD_MS) {
      panel('The API did not accept the sign-in (401): ask the administrator to check the viewer registration and the API audience.', true);
      return;
    }
    signIn();
  },
};
