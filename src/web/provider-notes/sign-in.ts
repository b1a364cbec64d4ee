import type { MailConfig, ServerSettings } from '../../settings/model.js';
import type { AppPasswordNote, BuiltInAccount, ProviderNote } from './notes.js';

/**
 * How people sign in to this provider's mail:
 * - `oauth-only`: only in the provider's own window (OAuth2); passwords are refused (Outlook.com, Microsoft 365).
 * - `oauth-first`: the provider's window is the normal way; a password works only as an app password (Gmail).
 * - `password`: the mailbox password (or an app password where the provider demands one).
 * - `none`: no sign-in at all (allowed by network address).
 */
export type SignInKind = 'oauth-only' | 'oauth-first' | 'password' | 'none';

export interface SignIn {
  kind: SignInKind;
  /** Whether a password may be typed into a program (and so whether a password-based Apple profile helps). */
  passwordsAllowed: boolean;
  /** Shown only where password sign-in exists. */
  appPassword?: AppPasswordNote | undefined;
  builtInAccount?: BuiltInAccount | undefined;
}

const PASSWORD_METHODS = new Set(['password-cleartext', 'password-encrypted', 'NTLM']);

/**
 * The one place that decides. Until the settings model carries "passwords allowed" (issue 12), it is derived:
 * OAuth-only when every server that signs in knows only OAuth2; OAuth-first from the curated notes, or when OAuth2
 * is listed before the password methods.
 */
export function signInFor(config: MailConfig, note: ProviderNote | undefined): SignIn {
  const signing = config.servers.filter((s) => !s.auth.every((a) => a === 'none' || a === 'client-IP-address'));
  const builtInAccount = note?.builtInAccount;
  if (signing.length === 0) return { kind: 'none', passwordsAllowed: false };
  if (signing.every((s) => s.auth.every((a) => a === 'OAuth2'))) return { kind: 'oauth-only', passwordsAllowed: false, builtInAccount };
  const oauthFirst = note?.oauthFirst ?? signing.some((s) => s.auth[0] === 'OAuth2' && s.auth.some((a) => PASSWORD_METHODS.has(a)));
  return { kind: oauthFirst ? 'oauth-first' : 'password', passwordsAllowed: true, appPassword: note?.appPassword, builtInAccount };
}

/** Whether this server takes a password at all (for the password row of its card). */
export function takesPassword(server: ServerSettings): boolean {
  return server.auth.some((a) => PASSWORD_METHODS.has(a));
}
