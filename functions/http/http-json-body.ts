import type { HttpRequest } from '@azure/functions';
import { ValidationError } from '../../shared/errors';

/** Largest JSON body the API's write routes read, bytes: their documents are a few hundred bytes. */
export const JSON_BODY_MAX_BYTES = 64 * 1024;

/**
 * Reads a request body as JSON.
 * @throws ValidationError `MissingBody` (empty), `PayloadTooLarge` (over {@link JSON_BODY_MAX_BYTES}), `InvalidJson`
 */
export async function readJsonBody(request: HttpRequest): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') throw new ValidationError('the request needs a JSON body', undefined, 'MissingBody');
  if (Buffer.byteLength(text) > JSON_BODY_MAX_BYTES) throw new ValidationError(`the JSON body is larger than ${JSON_BODY_MAX_BYTES} bytes`, undefined, 'PayloadTooLarge');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`the body is not JSON: ${(err as Error).message}`, undefined, 'InvalidJson');
  }
}
