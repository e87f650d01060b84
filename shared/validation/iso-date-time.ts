import { z } from 'zod';
import { parseIsoDateTime } from '../time';

/** A string that is an ISO 8601 date-time with a time zone (shared/time.ts `parseIsoDateTime`), e.g. `2026-11-21T10:00:00.000Z`. */
export const isoDateTimeSchema = z.string().refine((s) => {
  try {
    parseIsoDateTime(s, 'time');
    return true;
  } catch {
    return false;
  }
}, 'expected an ISO 8601 date-time with a time zone, e.g. 2026-11-21T10:00:00.000Z').meta({ format: 'date-time' });
