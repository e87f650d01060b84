import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvocationContext, type HttpFunctionOptions } from '@azure/functions';
import { registrations } from '../functions/app';
import { createDeps } from '../functions/deps';
import { parseSettings, resetSettings } from '../functions/settings';
import { redact } from '../shared/redact';
import { byPrecedence, compileRoute, matchRoute, type CompiledRoute } from './functions-host-routes';
import { toHttpRequest, writeHttpResponse } from './functions-host-http';
import { scheduleTimer, type ScheduledTimer } from './functions-host-timers';
import { defaultHostLogger, logInvocation, type HostLogger } from './host-logger';
import { loadFunctions } from './load-functions';

/** Options of {@link startFunctionsHost}. */
export interface FunctionsHostOptions {
  /** TCP port; default 7071 (as `func start`); 0 picks a free port. */
  port?: number;
  /** Listen address; default `127.0.0.1`. */
  host?: string;
  /**
   * The administrator's key: the host sets the app setting `KEEPWATCH_ADMIN_KEY` to it at start, as infra/ sets it in
   * Azure, so every route accepts it (`x-functions-key` header or `code` query; functions/auth/authorize.ts). The host
   * also requires it itself for a registration of authLevel `function`/`admin` (Keepwatch registers none: the app
   * authorizes every request, functions/app.ts).
   */
  apiKey: string;
  /** Default: pino to stdout, component `functions-host`. */
  logger?: HostLogger;
  /** Schedule timer functions; default true. */
  timers?: boolean;
  /** Create the tables and the recordings container at start (fails fast when storage is unreachable); default true. */
  ensureStorage?: boolean;
}

/** A running local functions host. */
export interface FunctionsHost {
  /** `http://{host}:{port}`; the API is under `${url}/api`. */
  url: string;
  port: number;
  /** Names of the mounted HTTP routes, e.g. `GET cameras/{cameraId}/playback`. */
  routes: readonly string[];
  /** Stops accepting requests and timers, and waits for requests and timer runs in flight. Idempotent. */
  close(): Promise<void>;
}

type HttpRoute = CompiledRoute<{ name: string; options: HttpFunctionOptions; methods: string[] }>;

/**
 * The local stand-in for `func start` (Azure Functions Core Tools fetches its host from a CDN when installed, so it cannot be installed offline): imports
 * functions/index.ts and mounts every registration of functions/app.ts.
 *
 * - HTTP at `http://{host}:{port}/api/{route}`: route parameters URL-decoded after splitting the path (so `..%2Fx`
 *   is the parameter `../x`, which the handler rejects); `404 {error:{code:'NotFound'}}` for unknown routes, `405`
 *   with `Allow` for a known route and another method. `authLevel` `function` and `admin` require the API key in
 *   `x-functions-key` or the `code` query parameter, compared in constant time, else `401 {error:{code:'Unauthorized'}}`
 *   (this host has one key; Azure's admin level would need the master key). Keepwatch registers every route
 *   `anonymous` and authorizes in the app (functions/auth/route-guard.ts), as in Azure; the key reaches the app as
 *   `KEEPWATCH_ADMIN_KEY`. Each call gets a fresh
 *   InvocationContext (uuid invocationId, functionName, logs to `logger`).
 * - Timers: each timer registration on its NCRONTAB schedule in UTC (local/functions-host-timers.ts).
 * - Event Hubs functions are not fed here: the local broker wiring feeds them through local/event-hub-feeder.ts.
 *
 * Settings are validated at start (fail fast) but not cached, so the caller may still set e.g.
 * `KEEPWATCH_PUBLIC_BASE_URL` after learning the port. The tables and the recordings container are created at start
 * unless `ensureStorage: false`.
 * @throws ValidationError `InvalidSetting` naming a bad setting; TransientError when storage is unreachable; Error when
 *   the port is taken or a timer schedule is invalid
 */
export async function startFunctionsHost(options: FunctionsHostOptions): Promise<FunctionsHost> {
  if (!options.apiKey) throw new Error('startFunctionsHost: apiKey is required');
  const logger = options.logger ?? defaultHostLogger('functions-host');
  const listenHost = options.host ?? '127.0.0.1';
  process.env.KEEPWATCH_ADMIN_KEY = options.apiKey;
  resetSettings();
  const startSettings = parseSettings(process.env);
  loadFunctions();
  if (options.ensureStorage ?? true) await createDeps(startSettings).ensureStorage();

  const routes = mountHttp();
  const keyDigest = digest(options.apiKey);
  const inFlight = new Set<Promise<void>>();

  const server = createServer((req, res) => {
    const done = handle(req, res).catch((err: unknown) => {
      logger.error({ err: redact(err instanceof Error ? (err.stack ?? err.message) : String(err)) }, 'request handling failed');
      if (!res.headersSent) sendError(res, 500, 'InternalError', 'internal error in the local functions host');
      else res.destroy();
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedMs = Date.now();
    const url = new URL(req.url ?? '/', 'http://local');
    const rawPath = (req.url ?? '/').split('?')[0];
    const logDone = (status: number, functionName?: string) =>
      logger.debug({ method: req.method, path: redact(req.url ?? ''), status, functionName, ms: Date.now() - startedMs }, 'http request');
    if (!/^\/api\//i.test(rawPath)) {
      sendError(res, 404, 'NotFound', `no function at ${rawPath.slice(0, 200)}: routes are under /api/`);
      return logDone(404);
    }
    const below = rawPath.slice('/api/'.length);
    let matched: { route: HttpRoute; params: Record<string, string> } | undefined;
    const allowed = new Set<string>();
    for (const route of routes) {
      let params: Record<string, string> | undefined;
      try {
        params = matchRoute(route, below);
      } catch {
        sendError(res, 400, 'InvalidPath', 'request path has invalid percent-encoding');
        return logDone(400);
      }
      if (!params) continue;
      route.target.methods.forEach((m) => allowed.add(m));
      if (route.target.methods.includes((req.method ?? 'GET').toUpperCase())) {
        matched = { route, params };
        break;
      }
    }
    if (!matched) {
      if (allowed.size > 0) {
        res.setHeader('allow', [...allowed].join(', '));
        sendError(res, 405, 'MethodNotAllowed', `${req.method} is not allowed here; use ${[...allowed].join(' or ')}`);
        return logDone(405);
      }
      sendError(res, 404, 'NotFound', `no function at ${rawPath.slice(0, 200)}`);
      return logDone(404);
    }
    const { name, options: fn } = matched.route.target;
    if ((fn.authLevel ?? 'anonymous') !== 'anonymous' && !keyMatches(req, url)) {
      sendError(res, 401, 'Unauthorized', 'this route needs the API key: send it in the x-functions-key header or the code query parameter');
      return logDone(401, name);
    }
    let request;
    try {
      request = await toHttpRequest(req, `http://${listenHost}:${port}`, matched.params);
    } catch (err) {
      const tooLarge = err instanceof RangeError;
      sendError(res, tooLarge ? 413 : 400, tooLarge ? 'PayloadTooLarge' : 'InvalidRequest', tooLarge ? 'request body is larger than 10 MiB' : 'request URL or Host header is invalid');
      return logDone(tooLarge ? 413 : 400, name);
    }
    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: name,
      logHandler: (level, ...args) => logInvocation(logger, level, { functionName: name, invocationId }, args),
    });
    let result;
    try {
      result = await fn.handler(request, context);
    } catch (err) {
      logger.error({ functionName: name, invocationId, err: redact(err instanceof Error ? (err.stack ?? err.message) : String(err)) }, 'function threw');
      sendError(res, 500, 'InternalError', `internal error; see the logs of invocation ${invocationId}`);
      return logDone(500, name);
    }
    await writeHttpResponse(res, result);
    logDone(res.statusCode, name);
  }

  function keyMatches(req: IncomingMessage, url: URL): boolean {
    const header = req.headers['x-functions-key'];
    const given = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code');
    // Compare digests: equal length always, so timingSafeEqual neither throws nor leaks the key's length.
    return given !== undefined && given !== null && timingSafeEqual(digest(given), keyDigest);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, listenHost, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

  const timers: ScheduledTimer[] = [];
  try {
    if (options.timers ?? true) {
      for (const r of registrations()) if (r.kind === 'timer') timers.push(scheduleTimer(r.name, r.options, logger));
    }
  } catch (err) {
    await Promise.all(timers.map((t) => t.stop()));
    await new Promise<void>((r) => server.close(() => r()));
    throw err;
  }

  const url = `http://${listenHost}:${port}`;
  const routeNames = routes.map((r) => `${r.target.methods.join(',')} ${r.template}`);
  logger.info({ url: `${url}/api`, routes: routeNames, timers: timers.map((t) => t.name) }, 'functions host started');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    routes: routeNames,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await Promise.all([...timers.map((t) => t.stop()), ...inFlight]);
        server.closeAllConnections();
        await closed;
        logger.info({ url }, 'functions host stopped');
      })()),
  };
}

/** Compiles every HTTP registration (route defaults to the function name, methods to GET and POST, as `app.http`). */
function mountHttp(): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const r of registrations()) {
    if (r.kind !== 'http') continue;
    const methods = (r.options.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase());
    routes.push(compileRoute(r.options.route ?? r.name, { name: r.name, options: r.options, methods }));
  }
  return byPrecedence(routes);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message } }));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
