import { z } from 'zod';
import { parseRetentionDays } from '../../shared/schemas/recording-policy';
import { SETTINGS_DEFAULTS } from './defaults';
import { addProblem, rawText, textOr } from './env';

/**
 * Archive retention: `KEEPWATCH_RETENTION_DEFAULT` (cameras without a policy, ISO 8601 whole days P1D..P3650D, default
 * P7D, kept as written) and `KEEPWATCH_RETENTION_MAX` (longest retention a camera policy may set, the same form,
 * default P3650D, at least the default; in ms; functions/retention/retention-max.ts).
 */
export const retentionSettingsSchema = z
  .object({
    KEEPWATCH_RETENTION_DEFAULT: textOr(SETTINGS_DEFAULTS.retentionDefault),
    KEEPWATCH_RETENTION_MAX: textOr(SETTINGS_DEFAULTS.retentionMax),
  })
  .transform((s, ctx) => {
    const days = (name: string, text: string) => {
      try {
        return parseRetentionDays(text, 'value');
      } catch (err) {
        addProblem(ctx, name, (err as Error).message.replace(/^value /, ''), text);
        return undefined;
      }
    };
    const defaultMs = days('KEEPWATCH_RETENTION_DEFAULT', s.KEEPWATCH_RETENTION_DEFAULT);
    const retentionMaxMs = days('KEEPWATCH_RETENTION_MAX', s.KEEPWATCH_RETENTION_MAX);
    if (defaultMs !== undefined && retentionMaxMs !== undefined && defaultMs > retentionMaxMs) {
      addProblem(ctx, 'KEEPWATCH_RETENTION_DEFAULT', `${s.KEEPWATCH_RETENTION_DEFAULT} is longer than KEEPWATCH_RETENTION_MAX ${s.KEEPWATCH_RETENTION_MAX}`, s.KEEPWATCH_RETENTION_DEFAULT);
    }
    return { retentionDefault: s.KEEPWATCH_RETENTION_DEFAULT, retentionMaxMs: retentionMaxMs ?? 0 };
  });

/**
 * `KEEPWATCH_RETENTION_SCHEDULE`: the retention timer's NCRONTAB schedule, trimmed, default `0 5 * * * *` (hourly at
 * minute 5). Checked for shape only (6 space-separated fields); croner locally and the Functions host in Azure check
 * the fields themselves. Read on its own, at the timer's registration (not part of the other settings).
 */
export const retentionScheduleSchema = z.object({ KEEPWATCH_RETENTION_SCHEDULE: rawText }).transform((s, ctx) => {
  const schedule = (s.KEEPWATCH_RETENTION_SCHEDULE || SETTINGS_DEFAULTS.retentionSchedule).trim();
  const fields = schedule.split(/\s+/).length;
  if (fields !== 6) {
    addProblem(
      ctx,
      'KEEPWATCH_RETENTION_SCHEDULE',
      `${JSON.stringify(schedule)} has ${fields} field${fields === 1 ? '' : 's'}, but KEEPWATCH_RETENTION_SCHEDULE is a 6-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}, UTC)`,
      schedule,
    );
  }
  return schedule;
});
