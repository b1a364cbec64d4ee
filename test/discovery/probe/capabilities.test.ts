// The SASL-to-authentication mapping and the other pure readings of capability text (no sockets).
import t from 'tap';
import { advertisesStartTls, deprecatedTls, deriveAuth } from '../../../src/discovery/probe/capabilities.js';

t.test('authentication methods from capability text', async (t) => {
  t.same(deriveAuth('imap', ['IMAP4rev1', 'AUTH=PLAIN', 'AUTH=CRAM-MD5', 'AUTH=OAUTHBEARER', 'AUTH=GSSAPI', 'AUTH=NTLM']), {
    auth: ['password-cleartext', 'password-encrypted', 'OAuth2', 'GSSAPI', 'NTLM'],
    loginDisabled: false,
  });
  t.same(deriveAuth('imap', ['IMAP4rev1']), { auth: ['password-cleartext'], loginDisabled: false }, 'the IMAP LOGIN command');
  t.same(deriveAuth('pop3', ['USER', 'UIDL']), { auth: ['password-cleartext'], loginDisabled: false }, 'POP3 USER');
  t.same(deriveAuth('pop3', ['SASL CRAM-MD5 XOAUTH2']), { auth: ['password-encrypted', 'OAuth2'], loginDisabled: false });
  t.same(deriveAuth('pop3', ['UIDL', 'TOP']), { auth: [], loginDisabled: true }, 'nothing to log in with');
  t.same(deriveAuth('smtp', ['AUTH=LOGIN CRAM-MD5', 'PIPELINING']), { auth: ['password-cleartext', 'password-encrypted'], loginDisabled: false }, 'legacy AUTH=');
  t.same(deriveAuth('smtp', ['AUTH gssapi ntlm']), { auth: ['GSSAPI', 'NTLM'], loginDisabled: false }, 'case-insensitive');
  t.same(deriveAuth('smtp', ['PIPELINING', '8BITMIME']), { auth: [], loginDisabled: true }, 'a relay without AUTH');
  t.same(deriveAuth('smtp', ['AUTH SCRAM-SHA-256']), { auth: [], loginDisabled: true }, 'unknown mechanisms are ignored');
});

t.test('STARTTLS keyword per protocol, and deprecated TLS versions', async (t) => {
  t.equal(advertisesStartTls('imap', ['IMAP4rev1', 'starttls']), true, 'case-insensitive');
  t.equal(advertisesStartTls('pop3', ['STARTTLS']), false, 'POP3 says STLS');
  t.equal(advertisesStartTls('pop3', ['STLS']), true);
  t.equal(advertisesStartTls('smtp', ['STARTTLSX']), false, 'whole words only');
  t.match(deprecatedTls('TLSv1.1'), /TLSv1\.1 is deprecated for mail.*RFC 8997/);
  t.equal(deprecatedTls('TLSv1.2'), undefined);
  t.equal(deprecatedTls(null), undefined);
});
