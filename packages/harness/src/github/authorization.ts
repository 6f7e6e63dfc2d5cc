import { describeError } from '../core/index.js';
import { grantsWrite, type PermissionAnswer, type PermissionLookup } from './client-types.js';
import { repoSlug, type RepoRef } from './repo-ref.js';

/** Who wrote the comment, review or issue that asks Harness to act. */
export interface Actor {
  login: string;
  /** GitHub's user type: `User`, `Bot`, `Organization`. */
  type?: string;
  /**
   * GitHub's `author_association`, kept for logs only. It never grants anything: `MEMBER` is any
   * member of the owning organization and `COLLABORATOR` includes read-only collaborators.
   */
  author_association?: string;
}

export interface AuthorizationOptions {
  /** Bot logins (e.g. `renovate[bot]`) that are not refused outright; they still need write permission. */
  allow_bots?: readonly string[];
}

export type AuthorizationDecision =
  { allowed: true; reason: string } | { allowed: false; bot: boolean; reason: string };

export { writePermissions } from './client-types.js';

export function isBotActor(actor: Pick<Actor, 'login' | 'type'>): boolean {
  return actor.type === 'Bot' || /\[bot\]$/i.test(actor.login);
}

/**
 * The part of the decision that needs no API call: a bot is refused (unless in `allow_bots`),
 * whatever its association, since an App installed on the repository acts on text others wrote.
 * Null means "ask GitHub for the permission".
 */
export function refuseBot(actor: Actor, options: AuthorizationOptions = {}): AuthorizationDecision | null {
  if (!isBotActor(actor)) return null;
  const allowed = (options.allow_bots ?? []).some((b) => b.toLowerCase() === actor.login.toLowerCase());
  return allowed
    ? null
    : { allowed: false, bot: true, reason: `bot ${actor.login} is not allowed to trigger work` };
}

/** Decides from GitHub's collaborator-permission answer: write, maintain or admin may ask. */
export function authorizeByPermission(
  actor: Actor,
  answer: PermissionAnswer,
  repo?: RepoRef,
): AuthorizationDecision {
  const where = repo === undefined ? 'the repository' : repoSlug(repo);
  if (!answer.found) {
    return {
      allowed: false,
      bot: false,
      reason: `GitHub does not show ${actor.login} as a collaborator of ${where} (404); write is required`,
    };
  }
  const role =
    answer.role_name !== null && answer.role_name !== answer.permission ? ` (role ${answer.role_name})` : '';
  return grantsWrite(answer.permission)
    ? { allowed: true, reason: `${actor.login} has ${answer.permission} permission on ${where}${role}` }
    : {
        allowed: false,
        bot: false,
        reason: `${actor.login} has ${answer.permission} permission on ${where}${role}; write is required`,
      };
}

/** The whole decision, always asking GitHub (unless the actor is a refused bot). Fails closed. */
export async function authorizeActor(
  actor: Actor,
  repo: RepoRef,
  lookup: PermissionLookup,
  options: AuthorizationOptions = {},
): Promise<AuthorizationDecision> {
  const bot = refuseBot(actor, options);
  if (bot !== null) return bot;
  try {
    return authorizeByPermission(actor, await lookup.getCollaboratorPermission(repo, actor.login), repo);
  } catch (error) {
    return { allowed: false, bot: false, reason: `permission check failed: ${describeError(error)}` };
  }
}
