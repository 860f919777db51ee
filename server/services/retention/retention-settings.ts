import { badInput } from '../../errors';
import type { RetentionSettings } from '../models';

// Retention values as a project sets them (updateProjectSettings). A day is 24 hours, counted
// from a span's (or trace's) start time, the time users see.

/** A hundred years: more than that is "forever", which is null. */
export const MAX_RETENTION_DAYS = 36_500;

function checkDays(value: number | null | undefined, field: keyof RetentionSettings): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > MAX_RETENTION_DAYS) {
    throw badInput(`retention.${field} must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or null to keep data forever.`, {
      field: `retention.${field}`,
    });
  }
}

/** The settings after a patch: a field left out stays, null keeps data forever. */
export function applyRetentionPatch(current: RetentionSettings, patch: Partial<RetentionSettings> | null | undefined): RetentionSettings {
  if (!patch) return current;
  checkDays(patch.contentDays, 'contentDays');
  checkDays(patch.traceDays, 'traceDays');
  return {
    contentDays: patch.contentDays === undefined ? current.contentDays : patch.contentDays,
    traceDays: patch.traceDays === undefined ? current.traceDays : patch.traceDays,
  };
}

const DAY_MS = 86_400_000;

/** The start time before which data of this age is past retention, or null for "forever". */
export function retentionCutoff(days: number | null, now: Date): Date | null {
  return days === null ? null : new Date(now.getTime() - days * DAY_MS);
}
