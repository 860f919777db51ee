import { getContext, setContext } from 'svelte';
import type { SignedInUserFieldsFragment } from './generated/graphql';

// Who is signed in, shared by App.svelte with every page (read through getters so it stays live).

/** The signed-in user, as the `SignedInUserFields` fragment (pages/auth/auth-documents.ts) selects it. */
export type Viewer = SignedInUserFieldsFragment;

export interface ViewerContext {
  readonly viewer: Viewer | null;
  /** Called by the sign-in and sign-up forms with the user the server returned. */
  signedIn(user: Viewer): void;
}

const KEY = Symbol('viewer');

export const setViewerContext = (ctx: ViewerContext): ViewerContext => setContext(KEY, ctx);
export const getViewerContext = (): ViewerContext => getContext<ViewerContext>(KEY);

const LAST_PROJECT = 'tokentrace:last-project';

/** The project opened last, to land in on `/`. */
export function rememberProject(projectId: string): void {
  try {
    localStorage.setItem(LAST_PROJECT, projectId);
  } catch {
    // storage may be unavailable (private mode); landing on the project list is fine then
  }
}

export function lastProject(): string | null {
  try {
    return localStorage.getItem(LAST_PROJECT);
  } catch {
    return null;
  }
}
