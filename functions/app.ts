import { app, type EventHubFunctionOptions, type HttpFunctionOptions, type HttpHandler, type TimerFunctionOptions } from '@azure/functions';
import { guardRoute } from './auth/route-guard';
import type { RouteSpec } from './openapi/route-spec';

/** One registered function, as the local host (local/functions-host.ts) mounts it. */
export type Registration =
  | { kind: 'http'; name: string; options: HttpFunctionOptions; spec: RouteSpec }
  | { kind: 'eventHub'; name: string; options: EventHubFunctionOptions }
  | { kind: 'timer'; name: string; options: TimerFunctionOptions };

const registered: Registration[] = [];
let hostDetected: boolean | undefined;

/**
 * True when the Azure Functions Node worker is present. The worker provides the module `@azure/functions-core`;
 * without it `@azure/functions` switches to "test mode" and prints a warning per `app.*` call.
 */
function functionsHostPresent(): boolean {
  if (hostDetected === undefined) {
    try {
      require('@azure/functions-core');
      hostDetected = true;
    } catch {
      hostDetected = false;
      // One line instead of the library's warning per app.* call in test mode (app.* is not called at all here).
      console.warn('keepwatch: no Azure Functions host detected; functions are registered for the local host only');
    }
  }
  return hostDetected;
}

function record(registration: Registration): void {
  if (registered.some((r) => r.name === registration.name)) {
    // The Functions host refuses duplicate names too; failing here catches it before deployment.
    throw new Error(`function '${registration.name}' is registered twice`);
  }
  registered.push(Object.freeze(registration));
}

/**
 * Registers an HTTP function with the Functions host (`app.http`) and records it for the local host, from the route's
 * OpenAPI spec (functions/openapi/route-spec.ts), so no route is registered without being documented: the function
 * name is `spec.operationId`, the method `spec.method`, the route `spec.path` without its leading `/` (relative to the
 * `/api` route prefix; `{name}` segments become `request.params.name`). The handler runs behind `spec.access`
 * (functions/auth/route-guard.ts): the app authorizes every request itself, so the host's auth level is `anonymous` for
 * every route — with `function`, the Functions host would refuse a request without a function key before any code
 * runs, and a client with only a bearer token could never reach the route (docs/security.md "Who may call what").
 * @throws Error when the name is already registered, or a route that lists cameras has a `{cameraId}` in its path
 */
export function registerHttp(spec: RouteSpec, handler: HttpHandler): void {
  if (spec.access.kind === 'roles' && spec.access.listsCameras && spec.path.includes('{cameraId}')) {
    throw new Error(`route ${spec.method} ${spec.path}: a route of one camera does not list cameras (listingCameras)`);
  }
  const options: HttpFunctionOptions = { methods: [spec.method], route: spec.path.replace(/^\//, ''), authLevel: 'anonymous', handler: guardRoute(spec, handler) };
  record({ kind: 'http', name: spec.operationId, options, spec });
  if (functionsHostPresent()) app.http(spec.operationId, options);
}

/**
 * Registers an Event Hubs function (`app.eventHub`) and records it for the local host, which feeds it from the
 * embedded broker through local/event-hub-feeder.ts.
 * @throws Error when `name` is already registered
 */
export function registerEventHub(name: string, options: EventHubFunctionOptions): void {
  record({ kind: 'eventHub', name, options });
  if (functionsHostPresent()) app.eventHub(name, options);
}

/**
 * Registers a timer function (`app.timer`; `schedule` is NCRONTAB `sec min hour day month dow`, UTC) and records it
 * for the local host, which schedules it with croner.
 * @throws Error when `name` is already registered
 */
export function registerTimer(name: string, options: TimerFunctionOptions): void {
  record({ kind: 'timer', name, options });
  if (functionsHostPresent()) app.timer(name, options);
}

/** Every function registered so far in this process, in registration order (frozen entries). */
export function registrations(): readonly Registration[] {
  return registered.slice();
}

/**
 * Turns on HTTP response streaming in the Functions host (`app.setup({ enableHttpStream: true })`, host ≥ 4.28), so a
 * handler may return a Node `Readable` body that goes out as it is produced (the MP4 export) instead of being buffered
 * whole. Call once, before the registrations (functions/index.ts). The local host always streams Readable bodies
 * (local/functions-host-http.ts).
 */
export function enableHttpStreaming(): void {
  if (functionsHostPresent()) app.setup({ enableHttpStream: true });
}
