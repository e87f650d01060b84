import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OPENAPI_DOCUMENT } from '../../../../functions/openapi/openapi';

/**
 * The generated OpenAPI document (route specs next to the handlers, schemas from zod) against the hand-written one it
 * replaced, frozen in test/fixtures/openapi/openapi-before.json: route by route (paths, methods, operationId,
 * parameters, request bodies, status codes, answers, security) and schema by schema, structurally (`$ref`s resolved;
 * key order, and the order of `required`, `enum` and `type` lists, ignored). Every difference must be listed in
 * {@link INTENDED} with its reason; an unlisted one fails, and so does a listed one that no longer occurs.
 */

/** The fixture, from dist/test/unit/functions/openapi/ up to the repository root. */
const BEFORE = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'openapi', 'openapi-before.json'), 'utf8')) as Record<string, unknown>;
const AFTER = JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)) as Record<string, unknown>;

const S = '#/components/schemas';
const TOPOLOGY = `${S}/PipelineTopologyRequest/properties/properties/properties`;
const PIPELINE = `${S}/LivePipelineRequest/properties/properties/properties`;
const EVR = `${S}/RecordingPolicy/properties/evr/properties`;

/** `reason` for each of `pointers`. */
const because = (reason: string, ...pointers: string[]): Record<string, string> => Object.fromEntries(pointers.map((p) => [p, reason]));

/**
 * Every intended difference: its JSON pointer (as reported by {@link differences}) → why. A pointer ending in `/*`
 * stands for every difference below it.
 */
const INTENDED: Record<string, string> = {
  // zod's limits, which the handlers enforce, are now written in the document (it left them out).
  ...because(
    "a limit the zod schema enforces, written by zod's generator (the hand-written document left it out)",
    `${S}/CameraStream/properties/audio/properties/profile/minLength`,
    `${S}/CameraStream/properties/video/properties/profile/minLength`,
    `${S}/DeviceRequest/properties/cameras/maxItems`,
    `${S}/DeviceRequest/properties/cameras/minItems`,
    `${PIPELINE}/description/maxLength`,
    `${PIPELINE}/parameters/items/properties/name/maxLength`,
    `${PIPELINE}/parameters/items/properties/name/minLength`,
    `${PIPELINE}/parameters/items/properties/value/maxLength`,
    `${PIPELINE}/parameters/maxItems`,
    `${TOPOLOGY}/description/maxLength`,
    `${TOPOLOGY}/parameters/items/properties/default/maxLength`,
    `${TOPOLOGY}/parameters/items/properties/description/maxLength`,
    `${TOPOLOGY}/parameters/items/properties/name/minLength`,
    `${TOPOLOGY}/parameters/maxItems`,
    `${TOPOLOGY}/sinks/minItems`,
    `${TOPOLOGY}/sources/minItems`,
    `${EVR}/signals/items/properties/label/minLength`,
    `${EVR}/signals/items/properties/zone/minItems`,
    `${EVR}/signals/maxItems`,
    `${S}/RecordingPolicy/properties/retention/properties/maximumSizeMiB/maximum`,
    `${S}/SignalRequest/properties/properties/propertyNames`,
    `${S}/UploadUrlsRequest/properties/blobs/items/maxLength`,
    `${S}/UploadUrlsRequest/properties/blobs/maxItems`,
    `${S}/UploadUrlsRequest/properties/blobs/minItems`,
  ),
  ...because(
    'a zone point is the tuple [x, y]: exactly two numbers (zod `z.tuple`; the document said any number of them)',
    `${EVR}/signals/items/properties/zone/items/maxItems`,
    `${EVR}/signals/items/properties/zone/items/minItems`,
  ),
  ...because(
    'the topology parameter type, as zod checks it (case-insensitive, AVA writes `String`); the document had no pattern',
    `${TOPOLOGY}/parameters/items/properties/type/pattern`,
  ),
  ...because(
    "each source, processor and sink needs `@type` and `name` (zod's schema; the document said any object)",
    `${TOPOLOGY}/processors/items/properties`,
    `${TOPOLOGY}/processors/items/required`,
    `${TOPOLOGY}/sinks/items/properties`,
    `${TOPOLOGY}/sinks/items/required`,
    `${TOPOLOGY}/sources/items/properties`,
    `${TOPOLOGY}/sources/items/required`,
  ),
  ...because(
    'unknown keys are a 400 (zod `strictObject`), as the descriptions said; the schema says it now with `additionalProperties: false`',
    `${S}/LivePipelineRequest/additionalProperties`,
    `${S}/LivePipelineRequest/properties/properties/additionalProperties`,
    `${PIPELINE}/parameters/items/additionalProperties`,
    `${S}/PipelineTopologyRequest/additionalProperties`,
    `${S}/RecordingPolicy/additionalProperties`,
    `${S}/RecordingPolicy/properties/evr/additionalProperties`,
    `${EVR}/signalGate/additionalProperties`,
    `${EVR}/signals/items/additionalProperties`,
    `${S}/RecordingPolicy/properties/retention/additionalProperties`,
  ),
  ...because(
    'accepted and ignored (so that a resource read with GET can be PUT back): now listed, as zod accepts them',
    `${PIPELINE}/state`,
    `${S}/LivePipelineRequest/properties/systemData`,
    `${S}/PipelineTopologyRequest/properties/systemData`,
  ),
  ...because(
    "the value an absent key takes, written by zod's generator from `.default()` (the descriptions said it in words)",
    `${EVR}/signalGate/default`,
    `${EVR}/signalGate/properties/activationEvaluationWindow/default`,
    `${EVR}/signalGate/properties/activationSignalOffset/default`,
    `${EVR}/signalGate/properties/maximumActivationTime/default`,
    `${EVR}/signalGate/properties/minimumActivationTime/default`,
    `${EVR}/signals/default`,
  ),
  [`${S}/RecordingPolicyOutput`]:
    "the policy as answers hold it (zod's output type: once `evr` is given, its defaults are filled in, so they are required); RecordingPolicy stays the request body",
  [`${S}/CameraPolicy/properties/policy/*`]:
    'the answer refers to RecordingPolicyOutput: the differences of RecordingPolicy above, plus the defaults of `evr` present (required) in answers',
  [`${S}/CameraStream/properties/video/properties/fps/minimum`]: 'was wrong: fps is positive (zod `.positive()`), so the bound is exclusiveMinimum 0, not minimum 0',
  [`${S}/CameraStream/properties/video/properties/fps/exclusiveMinimum`]: 'was wrong: fps is positive (zod `.positive()`), so the bound is exclusiveMinimum 0, not minimum 0',
  [`${S}/HoldRequest/properties/reason/maxLength`]: 'was wrong: a hold reason is at most 256 characters (HOLD_REASON_MAX_CHARS), not 1024',
  ...because(
    "new: each camera's health (recording, reconnecting, offline, disabled, with cause and since), from its device's status",
    `${S}/Camera/properties/health`,
    `${S}/Camera/required`,
    `${S}/CameraHealth`,
    '#/paths/~1cameras/get/summary',
  ),
  '#/paths/~1cameras~1{cameraId}': 'new route: GET /cameras/{cameraId}, one camera as the list shows it, with its health',
  '#/paths/~1cameras~1{cameraId}~1live': 'new route: GET /cameras/{cameraId}/live, the signed URL of the live HLS playlist (docs/live.md)',
  '#/paths/~1cameras~1{cameraId}~1live.m3u8': 'new route: GET /cameras/{cameraId}/live.m3u8, the live HLS playlist itself (docs/live.md)',
  [`${S}/Live`]: 'new schema: the answer of GET /cameras/{cameraId}/live',
  ...because('new route: preview images, after AVA previewImageUrls (docs/previews.md)', '#/paths/~1cameras~1{cameraId}~1preview'),
  ...because('new route: a preview image by signed URL, for timeline thumbnails (docs/previews.md)', '#/paths/~1cameras~1{cameraId}~1preview.jpg'),
  ...because('new route: thumbnails along a range, for a timeline (docs/previews.md)', '#/paths/~1cameras~1{cameraId}~1previews'),
  ...because('new schema: the answer of the new thumbnails route', `${S}/PreviewList`),
  '#/paths/~1cameras~1{cameraId}~1media': 'new route: DELETE erases a range of an archive on demand (functions/erasure/media-delete.ts)',
  [`${S}/MediaErasure`]: 'new route: the answer of DELETE /cameras/{cameraId}/media',
  '#/paths/~1cameras~1{cameraId}~1signals/get': "new route: GET lists a camera's signals with their boxes and labels (functions/evr/signals-list.ts)",
  [`${S}/SignalList`]: 'new route: the answer of GET /cameras/{cameraId}/signals',
  '#/paths/~1exports': 'new route: POST starts an evidence export job (functions/exports/exports-create.ts)',
  '#/paths/~1exports~1{exportId}': "new route: GET an evidence export job's progress and download URL (functions/exports/export-get.ts)",
  [`${S}/ExportJobRequest`]: 'new route: the body of POST /exports',
  [`${S}/ExportJob`]: 'new route: the answer of POST /exports and GET /exports/{exportId}',
  ...because(
    'new: bearer JWTs (OpenID Connect issuer, Entra ID in Azure) accepted beside the administrator\'s key, and the device secret as a scheme (docs/security.md)',
    '#/security',
    '#/components/securitySchemes/bearerToken',
    '#/components/securitySchemes/deviceSecret',
    '#/components/securitySchemes/functionKeyHeader/description',
  ),
  ...because(
    'new: CVR with signal recordings (record 24/7, keep the signal gate\'s windows for retention.recordings), the policy\'s `cvr` section; `evr` now also serves it',
    `${S}/RecordingPolicy/properties/cvr`,
    `${S}/RecordingPolicy/properties/evr/description`,
    `${S}/SignalAccepted/properties/recording/description`,
    '#/paths/~1cameras~1{cameraId}~1signals/post/description',
  ),
  '#/components/responses/Forbidden': 'new: 403 of a bearer token without the role or the camera a route needs',
  '#/components/responses/Unauthorized/description': 'a 401 now also means a bearer token that does not verify (`InvalidToken`)',
  '#/paths/~1cameras~1{cameraId}~1shares': "new route: GET lists a camera's share links, POST makes one (AVA listContentToken, revocable; functions/shares/)",
  '#/paths/~1cameras~1{cameraId}~1shares~1{shareId}': 'new route: DELETE revokes a share link at once (functions/shares/share-delete.ts)',
  '#/paths/~1share~1{cameraId}~1{shareId}': "new route: GET a share link's read-only page, opened without an account (functions/shares/share-page.ts)",
  '#/paths/~1share~1{cameraId}~1{shareId}~1playlist.m3u8': "new route: GET a share link's HLS playlist, its token checked against the share on every use (functions/shares/share-playlist.ts)",
  [`${S}/Share`]: 'new route: the answer of POST /cameras/{cameraId}/shares and the items of its GET',
  [`${S}/ShareRequest`]: 'new route: the body of POST /cameras/{cameraId}/shares',
  '#/paths/~1viewer~1{asset}/get/parameters/0/schema/enum': "new viewer files: its sign-in module and oauth4webapi (from the app's node_modules), and the share link's page's own share.js and share.css",
  '#/paths/~1viewer/get/summary': 'the viewer signs people in at the OpenID Connect issuer (authorization code + PKCE), the key stays for the administrator (docs/viewer.md "Sign-in")',
  '#/paths/~1cameras~1{cameraId}~1holds~1{holdId}/delete/operationId':
    'the function that releases one hold is hold-delete (was holds-delete): routes on a collection are named in the plural (holds-list, holds-create), routes on one item in the singular (device-get, recording-get)',
};

/**
 * Access control (functions/auth/): every operation states its access kind, and a role route its roles, camera scope,
 * the bearer scheme beside the key, 403 `Forbidden` and the new 401 wording; listed per operation of the frozen
 * document from the generated document's access kinds, so each entry still has to occur.
 */
const ACCESS_INTENDED: Record<string, string> = (() => {
  const out: Record<string, string> = {};
  const before = BEFORE.paths as Record<string, Record<string, unknown> | undefined>;
  for (const [p, item] of Object.entries(AFTER.paths as Record<string, Record<string, Record<string, unknown>>>)) {
    for (const [method, op] of Object.entries(item)) {
      // A route the frozen document lacks is one difference of its own (its "new route" entry), not one per key.
      if (before[p]?.[method] === undefined) continue;
      const at = `#/paths/${escapePath(p)}/${method}`;
      const kind = op['x-keepwatch-access'] as string;
      out[`${at}/x-keepwatch-access`] = `new: the route's access kind (${kind}), functions/auth/access.ts`;
      if (kind === 'deviceSecret') out[`${at}/security`] = "new: the device secret is declared as a security scheme of its own (it was written as no security)";
      if (kind !== 'roles') continue;
      const reason = 'new: bearer tokens with app roles and per-camera scope beside the administrator\'s key (docs/security.md "Who may call what")';
      for (const k of ['security', 'x-keepwatch-roles', 'x-keepwatch-camera-scope', 'responses/403']) out[`${at}/${k}`] = reason;
      const unauthorized = (op.responses as Record<string, { $ref?: string }>)['401'];
      if (unauthorized?.$ref === '#/components/responses/Unauthorized') out[`${at}/responses/401/description`] = 'a 401 now also means a bearer token that does not verify (`InvalidToken`)';
    }
  }
  return out;
})();

/** A path as a JSON pointer segment. */
function escapePath(p: string): string {
  return p.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The INTENDED entry that covers `pointer`, exactly or by a `/*` prefix. */
function intendedFor(pointer: string): string | undefined {
  if (INTENDED[pointer] !== undefined) return pointer;
  if (ACCESS_INTENDED[pointer] !== undefined) return pointer;
  return Object.keys(INTENDED).find((k) => k.endsWith('/*') && pointer.startsWith(k.slice(0, -1)));
}

/** Lists compared as sets: their order carries no meaning. */
const UNORDERED = new Set(['required', 'enum', 'type', 'tags']);

/** The node a local `$ref` points to. */
function resolve(doc: Record<string, unknown>, ref: string): unknown {
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node === undefined) throw new Error(`$ref ${ref} points nowhere`);
  return node;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSON pointers (`at`, then `before → after` values) where `a` (in BEFORE) and `b` (in AFTER) differ. A `$ref` on
 * both sides to the same schema component is equal here (that component is compared on its own); any other `$ref`
 * is resolved and compared structurally.
 */
function differences(a: unknown, b: unknown, at: string): string[] {
  const sameComponent = isObject(a) && isObject(b) && typeof a.$ref === 'string' && a.$ref === b.$ref && a.$ref.startsWith('#/components/schemas/');
  if (sameComponent) {
    const { $ref: _a, ...restA } = a;
    const { $ref: _b, ...restB } = b;
    return differences(restA, restB, at);
  }
  if (isObject(a) && typeof a.$ref === 'string') {
    const { $ref, ...rest } = a;
    return differences({ ...(resolve(BEFORE, $ref) as object), ...rest }, b, at);
  }
  if (isObject(b) && typeof b.$ref === 'string') {
    const { $ref, ...rest } = b;
    return differences(a, { ...(resolve(AFTER, $ref) as object), ...rest }, at);
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], `${at}/${escape(k)}`));
  }
  const key = at.slice(at.lastIndexOf('/') + 1);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (UNORDERED.has(key) && a.every((x) => typeof x !== 'object') && b.every((x) => typeof x !== 'object')) {
      return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort()) ? [] : [`${at}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
    }
    if (a.length === b.length) return a.flatMap((x, i) => differences(x, b[i], `${at}/${i}`));
  }
  if (UNORDERED.has(key) && typeof a === 'string' && Array.isArray(b) && b.length === 1 && b[0] === a) return [];
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${at}: ${JSON.stringify(a) ?? 'absent'} → ${JSON.stringify(b) ?? 'absent'}`];
}

const pointerOf = (line: string) => line.slice(0, line.indexOf(': '));

describe('the generated OpenAPI document against the hand-written one (test/fixtures/openapi/openapi-before.json)', () => {
  it('has the same routes: every path and method of one is in the other, but for new routes INTENDED lists', () => {
    const routes = (doc: Record<string, unknown>) =>
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    // A new route is a whole new path, listed in INTENDED as `#/paths/{escaped path}` ("new route: …"), or a new
    // method on a path the frozen document has, listed as `#/paths/{escaped path}/{method}`.
    const isNew = (route: string) => {
      const path = `#/paths/${escape(route.slice(route.indexOf(' ') + 1))}`;
      return (INTENDED[path] ?? INTENDED[`${path}/${route.slice(0, route.indexOf(' ')).toLowerCase()}`])?.startsWith('new route: ') ?? false;
    };
    assert.deepEqual(routes(AFTER).filter((r) => !isNew(r)), routes(BEFORE));
  });

  it('differs, route by route and schema by schema, only where INTENDED says so (each with its reason)', () => {
    const found = [
      ...differences(BEFORE.paths, AFTER.paths, '#/paths'),
      ...differences((BEFORE.components as Record<string, unknown>).schemas, (AFTER.components as Record<string, unknown>).schemas, '#/components/schemas'),
      ...differences({ ...BEFORE, paths: undefined, components: { ...(BEFORE.components as object), schemas: undefined } }, { ...AFTER, paths: undefined, components: { ...(AFTER.components as object), schemas: undefined } }, '#'),
    ];
    const unlisted = found.filter((line) => intendedFor(pointerOf(line)) === undefined);
    assert.deepEqual(unlisted, [], 'differences not listed in INTENDED');
    const stale = [...Object.keys(INTENDED), ...Object.keys(ACCESS_INTENDED)].filter((p) => !found.some((line) => intendedFor(pointerOf(line)) === p));
    assert.deepEqual(stale, [], 'INTENDED lists differences that no longer occur');
  });

  it('compares what it should: a changed operationId, status code or schema is a difference', () => {
    const before = { get: { operationId: 'a', responses: { '200': { description: 'x' } } } };
    assert.deepEqual(differences(before, { get: { operationId: 'b', responses: { '201': { description: 'x' } } } }, '#'), [
      '#/get/operationId: "a" → "b"',
      '#/get/responses/200: {"description":"x"} → absent',
      '#/get/responses/201: absent → {"description":"x"}',
    ]);
    assert.deepEqual(differences({ type: 'object', required: ['a', 'b'] }, { required: ['b', 'a'], type: 'object' }, '#'), []);
    assert.deepEqual(differences({ type: ['string', 'null'] }, { type: ['null', 'string'], minimum: 1 }, '#'), ['#/minimum: absent → 1']);
  });
});
