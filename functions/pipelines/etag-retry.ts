import { ConflictError, PreconditionFailedError } from '../../shared/errors';

/** Read-decide-write attempts before a request gives up on a pipeline or topology other requests keep changing. */
export const ETAG_ATTEMPTS = 5;

/**
 * Runs a read-decide-write step again when its conditional write lost a race (PreconditionFailedError from
 * functions/adapters/table/table-pipeline-store.ts), so each decision is taken on what is stored.
 * @param what names the entity for the message
 * @throws ConflictError `Conflict` after {@link ETAG_ATTEMPTS} lost races; whatever `step` throws otherwise
 */
export async function withEtagRetry<T>(what: string, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      if (attempt >= ETAG_ATTEMPTS) throw new ConflictError(`${what} kept changing under concurrent requests; try again`);
    }
  }
}
