import type { SettingsQuery } from '../../lib/generated/graphql';

export type Settings = NonNullable<SettingsQuery['project']>['settings'];
/** The editable copy of a project's settings (patterns without their GraphQL typename). */
export type SettingsDraft = Omit<Settings, 'customPatterns'> & { customPatterns: { name: string; pattern: string }[] };
