/**
 * What went wrong with a request, in words for the page. `needsToken` marks the failures a token
 * would fix (a 401, or an act that "is for a person"): the app then shows the login form.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    /** The server's error code (`not_found`, `forbidden` …), or `network` / `bad_response`. */
    readonly code: string,
    readonly status: number | null,
    readonly needsToken: boolean,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** -32007: JSON-RPC's unauthorized (a wrong token, or an operator-only act without the operator's). */
export const RPC_UNAUTHORIZED = -32007;
/** -32003: the HTTP session is unknown or expired; the client initializes again. */
export const RPC_NOT_INITIALIZED = -32003;

/** Whether a refusal asks for a person's token: "… is for a person, and agents can reach this server". */
export function asksForPerson(message: string): boolean {
  return /is for a person/.test(message);
}

/**
 * Strips anything that looks like the bearer token from a message before it is shown, in case a
 * server or proxy ever echoed it: the token must never reach the page or a log.
 */
export function redactToken(message: string, token: string | null): string {
  if (!token) return message;
  return message.split(token).join('[token]');
}
