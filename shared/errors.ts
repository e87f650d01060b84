/**
 * Keepwatch's error classes. Every class carries a stable `code` used in the HTTP body
 * `{ error: { code, message, details? } }` and in dead-letter rows, and an HTTP status.
 * Messages name the thing, the value and the limit.
 */
export abstract class KeepwatchError extends Error {
  abstract readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: a 400; nothing was changed. */
export class ValidationError extends KeepwatchError {
  readonly status = 400;
  constructor(message: string, details?: unknown, code = 'InvalidInput') {
    super(code, message, details);
  }
}

/** The caller is not authenticated (missing/wrong key, bad or expired token): a 401. */
export class UnauthorizedError extends KeepwatchError {
  readonly status = 401;
  constructor(message: string, code = 'Unauthorized') {
    super(code, message);
  }
}

/** The named thing does not exist: a 404. */
export class NotFoundError extends KeepwatchError {
  readonly status = 404;
  /** @param details what may help the caller find the thing (e.g. the nearest recorded times), in the body's `details` */
  constructor(message: string, code = 'NotFound', details?: unknown) {
    super(code, message, details);
  }
}

/** The thing exists already (e.g. a blob on a create-only upload): a 409; idempotent callers treat it as success. */
export class ConflictError extends KeepwatchError {
  readonly status = 409;
  constructor(message: string, code = 'Conflict') {
    super(code, message);
  }
}

/** A dependency failed in a way that a retry may fix (network, 5xx, throttling): a 503. */
export class TransientError extends KeepwatchError {
  readonly status = 503;
  constructor(message: string, override readonly cause?: unknown, code = 'ServiceUnavailable') {
    super(code, message);
  }
}

/** Normalises anything thrown into an Error (for logs); user data stays in KeepwatchError messages only. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}

/** A conditional request's precondition (`If-Match`) does not hold: a 412; nothing was changed. */
export class PreconditionFailedError extends KeepwatchError {
  readonly status = 412;
  constructor(message: string, code = 'PreconditionFailed') {
    super(code, message);
  }
}

/** The caller is authenticated but may not do this (e.g. a device naming another device's camera): a 403. */
export class ForbiddenError extends KeepwatchError {
  readonly status = 403;
  constructor(message: string, code = 'Forbidden') {
    super(code, message);
  }
}
