// What a server's capability text means for a client: the SASL mechanisms mapped to clientConfig authentication
// methods, the STARTTLS keyword per protocol, and the TLS versions RFC 8997 deprecates. Pure: no sockets, so the
// merge step (and anything else that reads probe results) can use it without the network code.
import type { AuthMethod, Protocol } from '../../settings/model.js';

const AUTH_ORDER: readonly AuthMethod[] = ['password-cleartext', 'password-encrypted', 'OAuth2', 'GSSAPI', 'NTLM'];
const MECHANISMS: Record<string, AuthMethod> = {
  PLAIN: 'password-cleartext',
  LOGIN: 'password-cleartext',
  'CRAM-MD5': 'password-encrypted',
  XOAUTH2: 'OAuth2',
  OAUTHBEARER: 'OAuth2',
  GSSAPI: 'GSSAPI',
  NTLM: 'NTLM',
};

/** SASL mechanism names each protocol advertises, upper case. */
function mechanisms(protocol: Protocol, caps: string[]): string[] {
  const words = (line: string) => line.trim().split(/\s+/).filter((word) => word !== '');
  switch (protocol) {
    case 'imap':
      return caps.filter((cap) => /^AUTH=/i.test(cap)).map((cap) => cap.slice(5).toUpperCase());
    case 'pop3':
      return caps.filter((cap) => /^SASL(\s|$)/i.test(cap)).flatMap((cap) => words(cap.slice(4)).map((word) => word.toUpperCase()));
    case 'smtp':
      // "AUTH PLAIN LOGIN" and the pre-standard "AUTH=PLAIN LOGIN" some servers still send.
      return caps.filter((cap) => /^AUTH[ =]/i.test(cap)).flatMap((cap) => words(cap.slice(5)).map((word) => word.toUpperCase()));
  }
}

/**
 * Authentication methods in clientConfig terms, in a fixed order (cleartext first: over TLS it is what every
 * client supports). `loginDisabled`: IMAP LOGINDISABLED in the capabilities as read last, or nothing offered at all.
 */
export function deriveAuth(protocol: Protocol, caps: string[]): { auth: AuthMethod[]; loginDisabled: boolean } {
  const found = new Set<AuthMethod>();
  for (const mechanism of mechanisms(protocol, caps)) {
    const method = MECHANISMS[mechanism];
    if (method) found.add(method);
  }
  const upper = caps.map((cap) => cap.toUpperCase());
  const imapLoginDisabled = protocol === 'imap' && upper.includes('LOGINDISABLED');
  // IMAP's LOGIN command and POP3's USER/PASS send the password as it is.
  if (protocol === 'imap' && !imapLoginDisabled) found.add('password-cleartext');
  if (protocol === 'pop3' && upper.includes('USER')) found.add('password-cleartext');
  const auth = AUTH_ORDER.filter((method) => found.has(method));
  return { auth, loginDisabled: imapLoginDisabled || auth.length === 0 };
}

/** The command and capability word for upgrading to TLS: POP3 calls it STLS (RFC 2595). */
export function upgradeKeyword(protocol: Protocol): 'STARTTLS' | 'STLS' {
  return protocol === 'pop3' ? 'STLS' : 'STARTTLS';
}

/** The server listed the upgrade command among its capabilities. */
export function advertisesStartTls(protocol: Protocol, capabilities: readonly string[]): boolean {
  const keyword = upgradeKeyword(protocol);
  return capabilities.some((cap) => cap.toUpperCase() === keyword);
}

const OLD_TLS: ReadonlySet<string> = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);

/** Why a negotiated TLS version is not good enough for mail (RFC 8997), or undefined when it is. */
export function deprecatedTls(version: string | null | undefined): string | undefined {
  return version && OLD_TLS.has(version) ? `${version} is deprecated for mail; TLS 1.2 or newer is required (RFC 8997)` : undefined;
}
