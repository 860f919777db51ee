import type { Config } from '../config';

// The sign-in providers tokentrace knows; only those configured (client id and secret set)
// are offered, so the dashboard shows no button that cannot work.

export type OAuthProviderId = 'github' | 'google';

export interface AuthProviderModel {
  id: OAuthProviderId;
  name: string;
  signInUrl: string;
}

const NAMES: Record<OAuthProviderId, string> = { github: 'GitHub', google: 'Google' };

export function isOAuthProviderId(value: string): value is OAuthProviderId {
  return value === 'github' || value === 'google';
}

export function configuredProviders(config: Config): AuthProviderModel[] {
  return (Object.keys(NAMES) as OAuthProviderId[])
    .filter((id) => config.oauth[id] !== undefined)
    .map((id) => ({ id, name: NAMES[id], signInUrl: `/auth/${id}/start` }));
}
