import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { KeepwatchError } from '../../shared/errors';
import { redact } from '../../shared/redact';

/** The error body of every HTTP function (docs/contracts.md "HTTP API"). */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * Turns anything a handler threw into its HTTP answer: a KeepwatchError keeps its status and code (4xx logged at
 * info, 5xx at error); anything else is a 500 `InternalError` whose message points at the invocation id and whose
 * cause goes to the log only (redacted), never to the caller.
 */
export function errorResponse(err: unknown, context: InvocationContext): HttpResponseInit {
  if (err instanceof KeepwatchError) {
    // 5xx messages carry storage SDK text (hosts, request ids): they go to the log, the caller gets the code.
    const message = err.status >= 500 ? `storage is unavailable; try again (invocation ${context.invocationId})` : err.message;
    const body: ErrorBody = { error: { code: err.code, message, ...(err.details !== undefined && err.status < 500 ? { details: err.details } : {}) } };
    if (err.status >= 500) context.error('request failed', { code: err.code, message: redact(err.message) });
    else context.log('request rejected', { status: err.status, code: err.code });
    return { status: err.status, jsonBody: body, headers: { 'cache-control': 'no-store' } };
  }
  const cause = err instanceof Error ? (err.stack ?? err.message) : String(err);
  context.error('request failed with an unexpected error', { error: redact(cause) });
  return {
    status: 500,
    jsonBody: { error: { code: 'InternalError', message: `internal error; see the logs of invocation ${context.invocationId}` } } satisfies ErrorBody,
    headers: { 'cache-control': 'no-store' },
  };
}
