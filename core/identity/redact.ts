/** A link code in a URL path: `/link/` and 32–64 base64url characters (see `isLinkCode`). */
const LINK_CODE_IN_TEXT = /\/link\/[A-Za-z0-9_-]{32,64}(?![A-Za-z0-9_-])/g;

/** What stored text keeps of a one-time link: `/link/[enlace]` (the code logs its holder in as the user). */
export const REDACTED_LINK_PATH = '/link/[enlace]';

/** The text with every link code replaced by `[enlace]` (for what is stored: transcripts). */
export function redactLinkCodes(text: string): string {
  return text.includes('/link/') ? text.replace(LINK_CODE_IN_TEXT, REDACTED_LINK_PATH) : text;
}
