import t from 'tap';
import type { AuthMethod, MailConfig, ServerSettings } from '../../src/settings/model.js';
import { cleanPastedAddress } from '../../src/web/pasted-address.js';
import { providerAdvice } from '../../src/web/provider-notes/advice.js';
import { PROVIDER_NOTES, isDeadLink } from '../../src/web/provider-notes/notes.js';
import { signInFor } from '../../src/web/provider-notes/sign-in.js';
import { suggestDomain } from '../../src/web/suggest.js';
import { clientFromUserAgent } from '../../src/web/clients.js';

const source = { kind: 'database' as const, detail: 'x.xml', confidence: 'high' as const };
function config(id: string, auth: AuthMethod[][], extra: Partial<MailConfig> = {}): MailConfig {
  const servers = auth.map((a, i): ServerSettings => ({ protocol: i === 0 ? 'imap' : 'smtp', host: 'mail.example', port: i === 0 ? 993 : 465, security: 'tls', auth: a, username: '%EMAILADDRESS%', source }));
  return { id, domains: [id], mxDomains: [], servers, documentation: [], enable: [], source, ...extra };
}

t.test('sign-in: derived from the servers, OAuth-first from the notes or the order', async (t) => {
  t.match(signInFor(config('a', [['OAuth2'], ['OAuth2']]), undefined), { kind: 'oauth-only', passwordsAllowed: false });
  t.match(signInFor(config('a', [['OAuth2', 'password-cleartext'], ['OAuth2', 'password-cleartext']]), undefined), { kind: 'oauth-first', passwordsAllowed: true });
  t.match(signInFor(config('a', [['password-cleartext', 'OAuth2'], ['password-cleartext']]), undefined), { kind: 'password' });
  t.match(signInFor(config('a', [['password-cleartext', 'OAuth2'], ['password-cleartext']]), { oauthFirst: true }), { kind: 'oauth-first' });
  t.match(signInFor(config('a', [['client-IP-address'], ['none']]), undefined), { kind: 'none', passwordsAllowed: false });
  // One server with a password method is enough for passwords to be allowed.
  t.match(signInFor(config('a', [['OAuth2'], ['password-cleartext']]), undefined), { passwordsAllowed: true });
});

t.test('advice: curated names, texts and links; foreign links only when there is nothing in the page language', async (t) => {
  const gmail = config('googlemail.com', [['OAuth2', 'password-cleartext']], {
    displayName: 'Google Mail',
    enable: [{ visitUrl: 'https://mail.google.com/x', instructions: [{ text: 'You need to enable IMAP access' }] }],
    documentation: [{ url: 'http://mail.google.com/support/bin/answer.py?answer=13273', descriptions: [{ text: 'old' }] }],
  });
  const de = providerAdvice(gmail, 'de', 'gmail.com');
  t.equal(de.name, 'Gmail');
  t.same(de.enable, []);
  t.ok(de.links.every((l) => l.lang === 'de' && l.url.includes('hl=de')));
  const other = config('other.example', [['password-cleartext']], {
    documentation: [
      { url: 'https://other.example/en', descriptions: [{ lang: 'en', text: 'Help' }] },
      { url: 'https://other.example/de', descriptions: [{ lang: 'de', text: 'Hilfe' }] },
      { url: 'javascript:alert(1)', descriptions: [{ lang: 'de', text: 'x' }] },
    ],
  });
  t.same(providerAdvice(other, 'de', 'other.example').links.map((l) => l.url), ['https://other.example/de'], 'the English one hidden, the bad URL dropped');
  t.same(providerAdvice(other, 'en', 'other.example').links.map((l) => l.url), ['https://other.example/en']);
  const onlyEnglish = config('x', [['password-cleartext']], { documentation: [{ url: 'https://x.example/', descriptions: [{ text: 'Help' }] }] });
  t.same(providerAdvice(onlyEnglish, 'de', 'x').links, [{ url: 'https://x.example/', text: 'Help', lang: 'en' }], 'shown (and marked by the page) when it is all there is');
  t.ok(isDeadLink('http://mail.google.com/support/bin/topic.py?topic=12806'));
  t.notOk(isDeadLink('https://support.google.com/mail/answer/7126229'));
});

t.test('every curated text exists in both languages and every URL is https', async (t) => {
  const json = JSON.stringify(PROVIDER_NOTES);
  t.notMatch(json, /"http:/);
  const texts = [...json.matchAll(/\{"en":"([^"]*)","de":"([^"]*)"\}/g)];
  t.ok(texts.length > 10);
  for (const [, en, de] of texts) t.ok(en && de, `${en} / ${de}`);
});

t.test('did you mean: one edit for short domains, two for longer ones, no guess on a tie', async (t) => {
  const known = ['gmail.com', 'gmx.de', 'gmx.net', 'web.de', 'posteo.de', 'outlook.com'];
  t.equal(suggestDomain('gmial.com', known), 'gmail.com');
  t.equal(suggestDomain('gmai.com', known), 'gmail.com');
  t.equal(suggestDomain('outlok.com', known), 'outlook.com');
  t.equal(suggestDomain('wbe.de', known), undefined, 'two edits on a short domain is too far');
  t.equal(suggestDomain('gmx.ne', known), undefined, 'gmx.de and gmx.net are both one edit away: no guess');
  t.equal(suggestDomain('gmx.xe', known), 'gmx.de', 'one edit from gmx.de, two from gmx.net');
  t.equal(suggestDomain('gmail.com', known), undefined, 'a known domain needs no suggestion');
  t.equal(suggestDomain('example.org', known), undefined);
});

t.test('pasted addresses', async (t) => {
  t.same(cleanPastedAddress('alice@example.org'), { ok: true, value: 'alice@example.org', changed: false });
  t.same(cleanPastedAddress('mailto:alice@example.org'), { ok: true, value: 'alice@example.org', changed: true });
  t.same(cleanPastedAddress('MAILTO:alice%40example.org?subject=x'), { ok: true, value: 'alice@example.org', changed: true });
  t.same(cleanPastedAddress('Alice Example <alice@example.org>'), { ok: true, value: 'alice@example.org', changed: true });
  t.same(cleanPastedAddress('"Example, Alice" <mailto:alice@example.org>'), { ok: true, value: 'alice@example.org', changed: true });
  t.same(cleanPastedAddress(' alice@example.org, '), { ok: true, value: 'alice@example.org', changed: true });
  t.same(cleanPastedAddress('"alice@example.org"'), { ok: true, value: 'alice@example.org', changed: true });
  t.match(cleanPastedAddress('alice@@example.org'), { ok: false, reason: /two @ in a row/ });
  t.same(cleanPastedAddress('alice@[127.0.0.1]'), { ok: true, value: 'alice@[127.0.0.1]', changed: false }, 'brackets are left for the parser');
  t.same(cleanPastedAddress('alice@..'), { ok: true, value: 'alice@..', changed: false });
});

t.test('program from the User-Agent', async (t) => {
  t.equal(clientFromUserAgent('Mozilla/5.0 (iPad; CPU OS 18_0 like Mac OS X)'), 'ios');
  t.equal(clientFromUserAgent('Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 SamsungBrowser/25.0'), 'samsung');
  t.equal(clientFromUserAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8)'), 'android');
  t.equal(clientFromUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)'), 'mac');
  t.equal(clientFromUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64)'), 'outlook-new');
  t.equal(clientFromUserAgent('Mozilla/5.0 (X11; Linux x86_64)'), 'thunderbird');
  t.equal(clientFromUserAgent(undefined), undefined);
  t.equal(clientFromUserAgent('curl/8.5'), undefined);
});
