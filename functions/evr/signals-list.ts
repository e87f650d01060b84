import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ValidationError } from '../../shared/errors';
import { assertId } from '../../shared/ids';
import type { SignalBox, SignalRecord } from '../../shared/contracts/signals';
import { SIGNALS_PAGE_MAX } from '../../shared/ports/signal-store';
import { DAY_MS, toIso } from '../../shared/time';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { CAMERA_RANGE_PARAMETERS, json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { SignalList } from '../openapi/components';
import { requiredRangeQuery } from '../http/query-range';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';

/** Longest window one signals request may cover (ms), as gaps and recordings. */
export const MAX_SIGNALS_WINDOW_MS = 31 * DAY_MS;
/** Signals per page when `limit` is absent. */
export const SIGNALS_PAGE_DEFAULT = 200;

/** One signal of `GET /api/cameras/{cameraId}/signals`; times ISO 8601 UTC with ms. */
export interface SignalItem {
  id: string;
  /** `motion`, `inference`, or an external type (`door`, …). */
  type: string;
  /** How it reached the cloud: `device` (the agent's detector or inference), `mqtt` or `http` (external). */
  origin: string;
  time: string;
  end?: string;
  label?: string;
  confidence?: number;
  /** Normalised boxes (AVA `l, t, w, h`, 0..1 of the frame). */
  boxes?: SignalBox[];
  properties?: Record<string, unknown>;
}

/** The answer of {@link signalsList}. */
export interface SignalListResponse {
  signals: SignalItem[];
  /** Present when more signals follow in the range: pass it as `after` (same start and end) for the next page. */
  next?: string;
}

/**
 * `GET /api/cameras/{cameraId}/signals?start=ISO&end=ISO[&limit=N][&after=TOKEN]` (viewer, scoped by the camera) →
 * `200 { signals: SignalItem[], next? }`: the signals stored for the camera (cameras whose policy records by signals:
 * EVR, or CVR with `cvr.signalRecordings`) whose media time lies in [start, end), oldest first, with their boxes,
 * labels, confidences and properties as they came (shared/contracts/signals.ts). At most `limit` (1..1000, default
 * 200) per page; `next` continues.
 * Errors: 400 `InvalidCameraId`, `MissingParameter`, `InvalidDateTime`, `InvalidRange`, `RangeTooLong` (> 31 days),
 * `InvalidLimit`, `InvalidContinuation`; 503 when storage is unavailable. A camera with no signals answers an empty list.
 */
export async function signalsList(request: HttpRequest, context: InvocationContext, deps?: Pick<FunctionsDeps, 'signals'>): Promise<HttpResponseInit> {
  try {
    const d = deps ?? defaultDeps();
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const [startMs, endMs] = requiredRangeQuery(request, MAX_SIGNALS_WINDOW_MS);
    const limit = limitQuery(request.query.get('limit'));
    const page = await d.signals.list(cameraId, { startMs, endMs }, limit, request.query.get('after') ?? undefined);
    const body: SignalListResponse = { signals: page.signals.map(signalItem) };
    if (page.continuation !== undefined) body.next = page.continuation;
    return { status: 200, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

function limitQuery(text: string | null): number {
  if (text === null) return SIGNALS_PAGE_DEFAULT;
  const n = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= SIGNALS_PAGE_MAX)) {
    throw new ValidationError(`query parameter 'limit' ${JSON.stringify(text)} is not an integer from 1 to ${SIGNALS_PAGE_MAX}`, [{ path: 'limit', message: `expected 1..${SIGNALS_PAGE_MAX}` }], 'InvalidLimit');
  }
  return n;
}

function signalItem(s: SignalRecord): SignalItem {
  const item: SignalItem = { id: s.id, type: s.type, origin: s.origin, time: toIso(s.atMs) };
  if (s.endMs !== undefined) item.end = toIso(s.endMs);
  if (s.label !== undefined) item.label = s.label;
  if (s.confidence !== undefined) item.confidence = s.confidence;
  if (s.boxes !== undefined) item.boxes = s.boxes;
  if (s.properties !== undefined) item.properties = s.properties;
  return item;
}

/** `GET /api/cameras/{cameraId}/signals`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/signals',
  operationId: 'signals-list',
  summary: "A camera's signals (motion, external, inference) with their boxes and labels",
  description:
    'The signals stored for the camera (EVR, or CVR with signal recordings) whose media time lies in [start, end), oldest first; at most 31 days per request, ' +
    `at most \`limit\` (1..${SIGNALS_PAGE_MAX}, default ${SIGNALS_PAGE_DEFAULT}) per page; \`next\`, when present, is the \`after\` of the next page.`,
  tags: ['evr'],
  access: ACCESS.viewer,
  parameters: [
    ...CAMERA_RANGE_PARAMETERS,
    { name: 'limit', in: 'query', required: false, description: `signals per page, 1..${SIGNALS_PAGE_MAX}, default ${SIGNALS_PAGE_DEFAULT}`, schema: { type: 'integer', minimum: 1, maximum: SIGNALS_PAGE_MAX } },
    { name: 'after', in: 'query', required: false, description: 'the `next` of the previous page', schema: { type: 'string' } },
  ],
  responses: {
    '200': { description: 'one page of signals', content: json(SignalList) },
    ...keyedErrors(400),
  },
};

registerHttp(route, (request, context) => signalsList(request, context));
