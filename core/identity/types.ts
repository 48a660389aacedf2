/**
 * Who writes: a channel user (a conversation id, `<channel>:<address>`) linked to a CMMS user. The
 * link is made on the gateway's own page (`/link/<code>`, no password in the chat); the user's CMMS
 * token is kept encrypted at rest (`IDENTITY_KEY`) and never leaves the gateway except to a live
 * workflow run of that user (the signed credential endpoint).
 */

/** `IDENTITY_KEY` must be at least this long (any string; 32 random bytes in base64 recommended). */
export const MIN_IDENTITY_KEY_LENGTH = 16;

/** The CMMS roles (`rol.nombre` of the login answer). */
export const CMMS_ROLES = ['Administrador', 'Supervisor', 'Técnico', 'Operador', 'Solicitante'] as const;
export type CmmsRole = (typeof CMMS_ROLES)[number];

/**
 * `IDENTITY_REQUIRED`: `none` (unlinked users act through the service account), `report` (reporting
 * a failure needs a linked account; the default), `all` (every CMMS action needs one).
 */
export const IDENTITY_POLICIES = ['none', 'report', 'all'] as const;
export type IdentityPolicy = (typeof IDENTITY_POLICIES)[number];

/** What the conversation (and admins) see of a link: never the token. */
export interface LinkedIdentity {
  /** The CMMS user's primary key (`user.id`). */
  cmmsUserId: number;
  username: string;
  /** `first_name last_name`, else the username. */
  fullName: string;
  /** The CMMS role name; an unknown name is kept as the CMMS gave it. */
  role: CmmsRole | string;
  /** ISO 8601. */
  linkedAt: string;
  /** The CMMS refused the user's token (401): the user must link again. */
  expired?: boolean;
}

/** A stored link, as the identity store keeps it (the token sealed with `IDENTITY_KEY`). */
export interface IdentityRecord extends LinkedIdentity {
  conversationId: string;
  /** `sealToken` output: AES-256-GCM, never the token itself. */
  sealedToken: string;
}

/** A one-time link code: single use, valid 10 minutes, bound to one channel user. */
export interface LinkCode {
  code: string;
  conversationId: string;
  /** ms since the epoch. */
  expiresAt: number;
}

/** What the CMMS login (`POST {CMMS_URL}/api/login/`) tells about a user. */
export interface CmmsLoginResult {
  token: string;
  cmmsUserId: number;
  username: string;
  fullName: string;
  role: CmmsRole | string;
}

/** The identity service the runtime, the link page, the admin API and the runners share. */
export interface IdentityService {
  readonly policy: IdentityPolicy;
  /**
   * The policy for one conversation. A chat that cannot link (an open REST web chat: its sender is
   * not authenticated) has `none` under `report`, so its reports go through the service account
   * instead of a dead end; `all` stays `all` there. Production never has such chats (WEB_API_KEY).
   */
  policyFor?(conversationId: string): IdentityPolicy;
  /** The conversation's link (expired ones too), or null. */
  lookup(conversationId: string): Promise<LinkedIdentity | null>;
  /**
   * A new one-time link for the conversation: `{PUBLIC_URL}/link/<code>`. Throws `LinkNotAllowedError`
   * (403 `link_not_allowed`) for a conversation whose sender is not authenticated.
   */
  issueLink(conversationId: string): Promise<{ url: string; expiresAt: number }>;
  /**
   * The user's CMMS token, for a CMMS call made for them; null when unlinked or expired, and, with
   * `cmmsUserId`, when the link is now another CMMS user's (a run started for A never gets B's token).
   */
  tokenFor(conversationId: string, cmmsUserId?: number): Promise<string | null>;
  /** Logs in to the CMMS and stores the link (the link page, an admin). Throws `LinkRefusedError`. */
  linkWithPassword(conversationId: string, username: string, password: string): Promise<LinkedIdentity>;
  /**
   * The CMMS refused the user's token: the link is kept, marked expired (compare-and-set: never
   * revives one unlinked meanwhile). With `linkedBefore` (ms): only a link made no later than that,
   * the one the refused token came from; a link made since (the chat linked again) stays live.
   */
  markExpired(conversationId: string, linkedBefore?: number): Promise<void>;
  /** Removes the link (and the user's token); false when there was none. */
  unlink(conversationId: string): Promise<boolean>;
  /** Every link, for admins (no token). */
  list(): Promise<Array<LinkedIdentity & { conversationId: string }>>;
  /** The conversations linked to a CMMS user (admin erase by user). */
  conversationsOf(cmmsUserId: number): Promise<string[]>;
}
