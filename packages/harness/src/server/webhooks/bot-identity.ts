import { describeError, type Logger } from '../../core/index.js';
import type { GithubUser } from '../../github/index.js';

export interface BotIdentitySources {
  /** `GET /user` with the configured token. */
  authenticatedUser: () => Promise<GithubUser>;
  /** `github.bot_login`, for a GitHub App installation token, which cannot call `GET /user`. */
  configured: string | undefined;
  logger: Logger;
}

/**
 * Harness's own login on GitHub, so its own comments and reviews (replies quoting a command
 * included) never start work. Learnt once, at start-up. Undefined when neither source can tell:
 * then a warning is logged once, and only senders that look like bots (`[bot]`, type `Bot`),
 * which are always ignored, are recognised.
 */
export async function resolveBotLogin(sources: BotIdentitySources): Promise<string | undefined> {
  const { configured, logger } = sources;
  try {
    const { login } = await sources.authenticatedUser();
    if (login.length === 0) throw new Error('GET /user answered without a login');
    if (configured !== undefined && configured.toLowerCase() !== login.toLowerCase()) {
      logger.warn(
        { token_login: login, bot_login: configured },
        `github.bot_login is ${configured} but the token belongs to ${login}; using ${login}`,
      );
    }
    logger.info({ bot_login: login }, 'webhooks ignore activity by this login');
    return login;
  } catch (error) {
    if (configured !== undefined) {
      logger.info({ bot_login: configured }, 'webhooks ignore activity by github.bot_login');
      return configured;
    }
    logger.warn(
      { error: describeError(error) },
      "Harness's own GitHub login is unknown (GET /user failed and github.bot_login is not set): " +
        'only senders whose login ends with [bot] or whose type is Bot are recognised as bots',
    );
    return undefined;
  }
}
