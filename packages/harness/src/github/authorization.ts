import { describeError } from '../core/index.js';
import type { PermissionLookup, RepoPermission } from './client-types.js';
import type { RepoRef } from './repo-ref.js';

/** Who wrote the comment, review or issue that asks Harness to act. */
export interface Actor {
  login: string;
  /** GitHub's user type: `User`, `Bot`, `Organization`. */
  type?: string;
  author_association: string;
}

export interface AuthorizationOptions {
  /** Bot logins (e.g. `renovate[bot]`) allowed to trigger work; every other bot is refused. */
  allow_bots?: readonly string[];
}

export type AuthorizationDecision =
  | { allowed: true; via: 'association' | 'permission' | 'allowed_bot'; reason: string }
  | { allowed: false; bot: boolean; reason: string };

/** Associations that already prove write access (or membership of the owning organization). */
export const trustedAssociations: readonly string[] = ['OWNER', 'MEMBER', 'COLLABORATOR'];

/** Roles that may push to the repository, and so may ask Harness to. */
export const writePermissions: readonly RepoPermission[] = ['admin', 'maintain', 'write'];

export function isBotActor(actor: Pick<Actor, 'login' | 'type'>): boolean {
  return actor.type === 'Bot' || /\[bot\]$/i.test(actor.login);
}

/**
 * The part of the decision that needs no API call: allowed, refused, or `needs_permission` when only
 * the collaborator-permission endpoint can tell. Bots are refused first, whatever their association:
 * a GitHub App installed on the repo can carry a trusted association while acting on text that an
 * outsider wrote (the `[bot]` actor bypass).
 */
export function authorizeByAssociation(
  actor: Actor,
  options: AuthorizationOptions = {},
): AuthorizationDecision | 'needs_permission' {
  if (isBotActor(actor)) {
    const allowed = (options.allow_bots ?? []).some((b) => b.toLowerCase() === actor.login.toLowerCase());
    return allowed
      ? { allowed: true, via: 'allowed_bot', reason: `bot ${actor.login} is explicitly allowed` }
      : { allowed: false, bot: true, reason: `bot ${actor.login} is not allowed to trigger work` };
  }
  if (trustedAssociations.includes(actor.author_association.toUpperCase())) {
    return {
      allowed: true,
      via: 'association',
      reason: `author association ${actor.author_association.toUpperCase()}`,
    };
  }
  return 'needs_permission';
}

/** Decides from the actor's role on the repository (from `getCollaboratorPermission`). */
export function authorizeByPermission(actor: Actor, permission: RepoPermission): AuthorizationDecision {
  return writePermissions.includes(permission)
    ? { allowed: true, via: 'permission', reason: `repository permission ${permission}` }
    : {
        allowed: false,
        bot: false,
        reason: `${actor.login} has ${permission} permission; write is required`,
      };
}

/** The whole decision, asking GitHub only when the association is not enough. Fails closed. */
export async function authorizeActor(
  actor: Actor,
  repo: RepoRef,
  lookup: PermissionLookup,
  options: AuthorizationOptions = {},
): Promise<AuthorizationDecision> {
  const quick = authorizeByAssociation(actor, options);
  if (quick !== 'needs_permission') return quick;
  try {
    return authorizeByPermission(actor, await lookup.getCollaboratorPermission(repo, actor.login));
  } catch (error) {
    return { allowed: false, bot: false, reason: `permission check failed: ${describeError(error)}` };
  }
}
