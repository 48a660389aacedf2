/** Linked CMMS identities: who writes, acting as them (see types.ts). */
export { type AdminRuntime, type IdentityAdminActions, identityAdminActions } from './admin-actions.ts';
export { chatOf } from './chat-label.ts';
export { type CmmsLogin, cmmsLogin, LOGIN_PATH, loginResultOf } from './cmms-login.ts';
export {
  CREDENTIALS_MAX_SKEW_S,
  CREDENTIALS_PATH,
  type CredentialsRouteDeps,
  mountCredentialsRoute,
} from './credentials-route.ts';
export { IdentityExpiredError, LinkNotAllowedError, LinkRefusedError, LoginUnavailableError } from './errors.ts';
export { type LinkRouteDeps, mountLinkRoutes } from './link-route.ts';
export { createTokenSealer, deriveSealKey, MIN_KEY_LENGTH, type TokenSealer } from './seal.ts';
export {
  checkConversationId,
  createIdentityService,
  type IdentityServiceImpl,
  type IdentityServiceOptions,
  identityOf,
  LINK_TTL_MS,
  MAX_TRIES,
  TRY_WINDOW_MS,
  type TryOutcome,
} from './service.ts';
export type { IdentityStore, TryCount } from './store.ts';
export { tryAddressOf } from './try-address.ts';
export * from './types.ts';
