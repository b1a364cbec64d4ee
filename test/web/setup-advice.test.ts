// The setup pages' provider-specific advice, error pages and branding, over the real server.
import t from 'tap';
import { startTestServer } from '../helpers/server.js';

const server = await startTestServer();
t.teardown(() => server.close());

/** The page without the line-break hints around addresses and host names. */
function flat(body: string): string {
  return body.replace(/<wbr>/g, '').replace(/<span class="nb">([^<]*)<\/span>/g, '$1');
}
function visible(body: string): string {
  return flat(body).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}
async function get(path: string, headers: Record<string, string> = {}, base = server.url) {
  const res = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
  return { res, body: flat(await res.text()) };
}

t.test('OAuth-only provider (Outlook.com): no password row, no profile, built-in account types', async (t) => {
  for (const lang of ['en', 'de']) {
    const { res, body } = await get(`/setup?email=kim%40outlook.com&lang=${lang}`);
    t.equal(res.status, 200);
    const text = visible(body);
    t.notMatch(body, /<dt>(Password|Passwort)<\/dt>/, `${lang}: no password row`);
    t.notMatch(body, /href="\/mobileconfig/, `${lang}: no profile link`);
    t.notMatch(body, /<svg class="qr"/, `${lang}: no QR code`);
    t.notMatch(text, /need an app password|app password from|App-Passwort (von|anlegen)|brauchen [^.]*App-Passwort/i, `${lang}: no app-password promise`);
    t.match(text, lang === 'en' ? /a profile or an app password does not work/ : /ein Profil oder App-Passwort funktioniert nicht/);
    t.match(text, lang === 'en' ? /enter no password here/ : /hier geben Sie kein Passwort ein/);
    t.match(text, lang === 'en' ? /“Add Account”, choose “Outlook\.com”/ : /„Account hinzufügen“, wählen Sie „Outlook\.com“/, `${lang}: iOS built-in type`);
    t.match(text, /Outlook\.com/);
    t.notMatch(text, /Microsoft Outlook\.com|Hotmail\b.*Hotmail\b.*Hotmail\b/, `${lang}: curated display name`);
  }
  const o365 = visible((await get('/setup?email=kim%40onmicrosoft.com&lang=en')).body);
  t.match(o365, /Provider: Microsoft 365/);
  t.match(o365, /choose “Microsoft Exchange”/, 'iOS and Mac: the Exchange type for Microsoft 365');
  t.match(o365, /ask your IT department/);
});

t.test('OAuth-first provider (Gmail): sign-in window first, app password with 2-step note, no stale texts', async (t) => {
  const en = await get('/setup?email=bob%40gmail.com&lang=en');
  const text = visible(en.body);
  t.match(text, /Provider: Gmail/, 'curated display name, not "Google Mail"');
  t.notMatch(text, /Google Mail/);
  t.notMatch(text, /You need to enable IMAP access/, 'the stale ISPDB instruction is gone');
  t.match(text, /IMAP is always on for personal Gmail accounts/);
  t.match(text, /Programs without that need an app password/);
  t.match(text, /only once 2-step verification is switched on/);
  t.match(text, /Choose “Google”, not “Other”/, 'Gmail app: the Google type');
  t.notMatch(en.body, /mail\.google\.com\/support\/bin/, 'dead help links dropped');
  t.match(en.body, /support\.google\.com\/mail\/answer\/7126229\?hl=en/);
  t.match(en.body, /href="\/mobileconfig\?emailaddress=bob%40gmail\.com&amp;lang=en"/, 'a profile still helps with an app password');
  const de = await get('/setup?email=bob%40gmail.com&lang=de');
  t.match(de.body, /support\.google\.com\/mail\/answer\/7126229\?hl=de/, 'German help link on the German page');
  t.notMatch(de.body, /hl=en/);
  t.match(visible(de.body), /Bestätigung in zwei Schritten/);
});

t.test('POP-only provider: POP3 wording in every step, the two-devices recipe, no switch advice', async (t) => {
  const { res, body } = await get('/setup?email=raj%40rediffmail.com&lang=en');
  t.equal(res.status, 200);
  const text = visible(body);
  t.match(text, /Choose “POP3” and click “Done”/, 'Thunderbird: POP3');
  t.match(text, /Choose “POP”\./, 'classic Outlook: POP');
  t.match(text, /choose “POP3 account”/, 'Samsung: POP3');
  t.match(text, /cannot fetch mail by POP3/, 'Outlook app has no POP3');
  t.notMatch(text, /choose “IMAP”|Choose “IMAP”/);
  t.notMatch(text, /Switching from POP3 to IMAP/);
  t.match(text, /POP3 on two devices/);
  t.match(text, /Leave a copy on the server/);
  t.match(text, /does not pass on which messages you have read or answered/);
  t.notMatch(body, /class="more-pop3"/, 'POP3 is the main card here, not collapsed');
});

t.test('plaintext-only provider: a warning at the top and the port 25 note', async (t) => {
  const { body } = await get('/setup?email=jan%40tiscali.cz&lang=de');
  const text = visible(body);
  t.match(body, /<div class="alert" role="note">/);
  t.ok(text.indexOf('Nur unverschlüsselt') < text.indexOf('Posteingangsserver'), 'the warning comes before the settings');
  t.match(text, /Viele Internetanbieter sperren ausgehende Verbindungen auf Port 25/);
  const posteo = await get('/setup?email=alice%40posteo.de');
  t.notMatch(posteo.body, /class="alert"/, 'no such warning for an encrypted provider');
});

t.test('IMAP providers: POP3 collapsed, the facts from the seeds, the never-mix warning', async (t) => {
  const { body } = await get('/setup?email=alice%40posteo.de&lang=en');
  t.match(body, /<details class="more-pop3" id="pop3"><summary>Only if you need POP3<\/summary>/);
  const text = visible(body);
  t.match(text, /stored in the Sent folder on the server/);
  t.match(text, /IMAP carries mail only/);
  t.match(text, /Never POP3 and IMAP for the same address/);
  t.match(text, /Check the mail settings of posteo\.de/);
  t.match(body, /href="\/check\/posteo\.de\?lang=en"/, 'link to the domain check');
  for (const trouble of ['Sign-in fails', 'Certificate warning', 'Receiving works, sending does not', 'Mailbox full', 'Password forgotten']) t.match(text, trouble);
});

t.test('program chooser: preselected from the User-Agent', async (t) => {
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
  const windows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
  const a = await get('/setup?email=alice%40posteo.de&lang=en', { 'user-agent': iphone });
  t.match(a.body, /<details class="client" id="client-ios" open>/);
  t.match(a.body, /<a href="#steps-ios" aria-current="true">/);
  t.equal((a.body.match(/<details class="client"[^>]* open>/g) ?? []).length, 1, 'one section open');
  const b = await get('/setup?email=alice%40posteo.de&lang=en', { 'user-agent': windows });
  t.match(b.body, /<details class="client" id="client-outlook-new" open>/);
  const c = await get('/setup?email=alice%40posteo.de&lang=en', { 'user-agent': 'curl/8' });
  t.notMatch(c.body, /<details class="client"[^>]* open>/, 'no guess, nothing open');
  const shared = await get('/setup/posteo.de?lang=en', { 'user-agent': iphone });
  t.match(shared.res.headers.get('cache-control'), /public/);
  t.equal(shared.res.headers.get('vary'), 'Accept-Language, User-Agent', 'a cacheable page that depends on the User-Agent says so');
  t.match(shared.body, /<details class="client" id="client-ios" open>/);
});

t.test('Apple profile: in the page language; unsigned profiles are explained', async (t) => {
  const de = await get('/setup?email=alice%40posteo.de&lang=de');
  t.match(de.body, /href="\/mobileconfig\?emailaddress=alice%40posteo\.de&amp;lang=de"/);
  t.match(visible(de.body), /„Nicht überprüft“/);
  const profileDe = await (await fetch(`${server.url}/mobileconfig?emailaddress=alice%40posteo.de&lang=de`)).text();
  t.match(profileDe, /<string>E-Mail-Account alice@posteo\.de<\/string>/, 'the install screen speaks German');
  t.match(profileDe, /Das Profil enthält kein Passwort/);
  const profileEn = await (await fetch(`${server.url}/mobileconfig?emailaddress=alice%40posteo.de`)).text();
  t.match(profileEn, /<string>Mail account alice@posteo\.de<\/string>/, 'English without lang, as before');
});

t.test('the cached page is filled per address: two addresses, the same provider, each its own', async (t) => {
  const first = await get('/setup?email=first.person%40posteo.de&lang=en');
  const second = await get('/setup?email=other%40posteo.de&lang=en');
  t.match(first.body, /data-copy="User name \(IMAP\)">first\.person@posteo\.de<\/code>/);
  t.match(second.body, /data-copy="User name \(IMAP\)">other@posteo\.de<\/code>/);
  t.notMatch(second.body, /first\.person/);
  t.notMatch(second.body, /[\uE000\uE001]|%EE%80%80/, 'no stand-in left');
  t.match(second.body, /hreflang="de" href="http:\/\/127\.0\.0\.1:\d+\/setup\?email=other%40posteo\.de&amp;lang=de"/);
  const qrFirst = first.body.match(/<svg class="qr"[^>]*aria-label="([^"]+)"[^>]*>.*?<\/svg>/s);
  const qrSecond = second.body.match(/<svg class="qr"[^>]*aria-label="([^"]+)"[^>]*>.*?<\/svg>/s);
  t.equal(qrFirst?.[1], 'QR code that opens the profile for first.person@posteo.de');
  t.not(qrFirst?.[0], qrSecond?.[0], 'each address has its own QR code');
});

t.test('errors: HTML 404 for unknown paths in the visitor language, JSON for programs', async (t) => {
  const page = await get('/setup/a/b', { accept: 'text/html,application/xhtml+xml', 'accept-language': 'de' });
  t.equal(page.res.status, 404);
  t.match(page.res.headers.get('content-type'), /^text\/html/);
  t.match(page.body, /<html lang="de">/);
  t.match(visible(page.body), /Seite nicht gefunden/);
  const api = await get('/no/such/thing', { accept: 'application/json' });
  t.equal(api.res.status, 404);
  t.match(api.res.headers.get('content-type'), /^application\/json/);
});

t.test('errors: unknown domain in Unicode, only the steps that ran, did you mean', async (t) => {
  const typo = await get('/setup?email=bob%40gmial.com&lang=en');
  t.equal(typo.res.status, 404);
  t.match(visible(typo.body), /Did you mean gmail\.com ?\?/);
  t.match(typo.body, /href="\/setup\?email=bob%40gmail\.com&amp;lang=en"/);
  t.match(visible(typo.body), /looks up settings only in its provider database/, 'discovery off says so');
  t.notMatch(visible(typo.body), /out of reach for a moment/, 'no "servers unreachable" when none was asked');
  t.notMatch(visible(typo.body), /is not in the provider database/, 'no English resolver detail');
  const far = await get('/setup?email=bob%40unrelated-name.example&lang=en');
  t.notMatch(visible(far.body), /Did you mean/);
  const idn = await get(`/setup?email=${encodeURIComponent('a@xn--bcher-kva.example')}&lang=de`);
  t.match(visible(idn.body), /Keine Einstellungen für bücher\.example gefunden/, 'the domain in Unicode');
});

t.test('pasted addresses are cleaned up; /setup/<address> redirects; @@ has its own reason', async (t) => {
  const path = await get('/setup/alice@example.org?lang=de');
  t.equal(path.res.status, 302);
  t.equal(path.res.headers.get('location'), '/setup?email=alice%40example.org&lang=de');
  const mailto = await get(`/setup?email=${encodeURIComponent('mailto:alice@posteo.de?subject=Hi')}`);
  t.equal(mailto.res.status, 302);
  t.equal(mailto.res.headers.get('location'), '/setup?email=alice%40posteo.de');
  const named = await get(`/setup?email=${encodeURIComponent('Alice Example <alice@posteo.de>')}&lang=en`);
  t.equal(named.res.headers.get('location'), '/setup?email=alice%40posteo.de&lang=en');
  const double = await get(`/setup?email=${encodeURIComponent('alice@@example.org')}&lang=en`);
  t.equal(double.res.status, 400);
  t.match(visible(double.body), /it contains two @ in a row/);
  const doubleDe = await get(`/setup?email=${encodeURIComponent('alice@@example.org')}&lang=de`);
  t.match(visible(doubleDe.body), /Bitte prüfen Sie die E-Mail-Adresse: sie enthält zwei @ hintereinander/);
});

t.test("the hoster's page: legal links, support, own domains, never a file name", async (t) => {
  const branded = await startTestServer({
    env: {
      MAILCONFIG_BRAND_NAME: 'Hoster GmbH',
      MAILCONFIG_BRAND_IMPRINT_URL: 'https://hoster.example/impressum',
      MAILCONFIG_BRAND_PRIVACY_URL: 'https://hoster.example/datenschutz',
      MAILCONFIG_BRAND_SUPPORT_URL: 'https://hoster.example/hilfe',
      MAILCONFIG_BRAND_SUPPORT_EMAIL: 'support@hoster.example',
      MAILCONFIG_BRAND_DOMAINS: 'posteo.de',
    },
  });
  t.teardown(() => branded.close());
  const home = await get('/?lang=de', {}, branded.url);
  t.match(home.body, /<a href="https:\/\/hoster\.example\/impressum">Impressum<\/a>/);
  t.match(home.body, /<a href="https:\/\/hoster\.example\/datenschutz">Datenschutz<\/a>/);
  const own = visible((await get('/setup?email=alice%40posteo.de&lang=en', {}, branded.url)).body);
  t.match(own, /These settings come from Hoster GmbH/);
  t.notMatch(own, /\.xml/);
  const missing = await get('/setup?email=a%40nowhere.example&lang=de', {}, branded.url);
  t.match(visible(missing.body), /Wenden Sie sich an Hoster GmbH: Support oder support@hoster\.example/);
  t.match(missing.body, /href="mailto:support@hoster\.example"/);
  const lost = await get('/nothing-here', { accept: 'text/html', 'accept-language': 'de' }, branded.url);
  t.match(lost.body, /Impressum/, 'legal links on error pages too');
});
