import type { Hold } from '../../shared/ports/hold-store';
import { toIso } from '../../shared/time';

/** One hold in the holds API; times ISO 8601 UTC with milliseconds; `reason` absent when none was given. */
export interface HoldResponse {
  id: string;
  start: string;
  end: string;
  reason?: string;
  createdAt: string;
}

/** The API form of a stored hold. */
export function holdResponse(hold: Hold): HoldResponse {
  const base = { id: hold.id, start: toIso(hold.startMs), end: toIso(hold.endMs), createdAt: toIso(hold.createdAtMs) };
  return hold.reason === undefined ? base : { ...base, reason: hold.reason };
}
