/**
 * A link target from data an agent or a webhook could have shaped (a pull request URL): only
 * http(s) is let through, so `javascript:` and `data:` URLs never become links.
 */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
