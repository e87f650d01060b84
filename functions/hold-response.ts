import type { Hold } from '../shared/ports/hold-store';
import { toIso } from '../shared/time';

/** One hold in the holds API; times ISO 8601 UTC with milliseconds; `reason` null when none was given. */
export interface HoldResponse {
  id: string;
  start: string;
  end: string;
  reason: string | null;
  createdAt: string;
}

/** The API form of a stored hold. */
export function holdResponse(hold: Hold): HoldResponse {
  return { id: hold.id, start: toIso(hold.startMs), end: toIso(hold.endMs), reason: hold.reason ?? null, createdAt: toIso(hold.createdAtMs) };
}
