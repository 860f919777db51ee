import type { SettingsQuery } from '../../lib/generated/graphql';

export type Settings = NonNullable<SettingsQuery['project']>['settings'];
/**
 * The editable copy of a project's settings: patterns without their GraphQL typename, and
 * retention as typed (an empty box keeps data forever).
 */
export type SettingsDraft = Omit<Settings, 'customPatterns' | 'retention'> & {
  customPatterns: { name: string; pattern: string }[];
  retention: { contentDays: string; traceDays: string };
};

export function toDraft(settings: Settings): SettingsDraft {
  const days = (n: number | null | undefined) => (n == null ? '' : String(n));
  return {
    ...settings,
    piiRules: [...settings.piiRules],
    customPatterns: settings.customPatterns.map((p) => ({ name: p.name, pattern: p.pattern })),
    retention: { contentDays: days(settings.retention.contentDays), traceDays: days(settings.retention.traceDays) },
  };
}

/** Days as the API takes them: null for an empty box (forever); undefined when not a whole number of days from 1 to 36500. */
export function parseDays(text: string): number | null | undefined {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 36_500 ? n : undefined;
}
