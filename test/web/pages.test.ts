import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { MailConfig, ServerSettings } from '../../src/settings/model.js';
import type { LookupStep, SettingsResolver } from '../../src/settings/resolver.js';
import { DatabaseResolver } from '../../src/providers/resolver.js';
import { startTestServer } from '../helpers/server.js';

const server = await startTestServer();
t.teardown(() => server.close());

/** The page without the line-break hints around addresses and host names (<wbr>, unbreakable labels). */
function flat(body: string): string {
  return body.replace(/<wbr>/g, '').replace(/<span class="nb">([^<]*)<\/span>/g, '$1');
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, { headers });
  return { res, body: flat(await res.text()) };
}

/** Text of the page with tags removed, to assert on what a reader sees. */
function visible(body: string): string {
  return flat(body).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

t.test('home page: HTML, one labelled field, GET form to /setup, strict CSP', async (t) => {
  const { res, body } = await get('/');
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = res.headers.get('content-security-policy') ?? '';
  t.match(csp, /script-src 'self'/);
  t.match(csp, /default-src 'none'/);
  t.notMatch(csp, /unsafe-inline|\*|https?:/, 'no inline code, no wildcard, no other origin');
  t.match(body, /<form class="lookup" action="\/setup" method="get">/);
  t.match(body, /<label for="email">Your email address<\/label>/);
  t.match(body, /<input id="email" name="email"/);
  t.notMatch(body, /<script>|<style>|\sstyle="|\son[a-z]+="/i, 'no inline script, style or handler the CSP would block');
  t.equal(res.headers.get('vary'), 'Accept-Language');
});

t.test('settings for a bundled provider: cards in order, client words, user name filled in', async (t) => {
  const { res, body } = await get('/setup?email=alice%40posteo.de');
  t.equal(res.status, 200);
  t.match(res.headers.get('cache-control'), /no-store/, 'a page naming an address is not cached by others');
  const text = visible(body);
  const imap = text.indexOf('Incoming mail: IMAP');
  const smtp = text.indexOf('Outgoing mail: SMTP');
  const pop3 = text.indexOf('Incoming mail: POP3');
  t.ok(imap > 0 && imap < smtp && smtp < pop3, 'IMAP (recommended), then SMTP, then POP3');
  t.match(text, /Incoming mail: IMAP Recommended/);
  t.match(body, /data-copy="Server \(IMAP\)">posteo\.de<\/code>/);
  t.match(body, /data-copy="Port \(IMAP\)">993<\/code>/);
  t.match(body, /data-copy="User name \(IMAP\)">alice@posteo\.de<\/code>/);
  t.match(text, /Also possible: port 143 with STARTTLS/);
  t.match(text, /Normal password/);
  t.match(body, /href="\/mobileconfig\?emailaddress=alice%40posteo\.de&amp;lang=en"/, 'profile download links to the Apple route, in the page language');
  t.notMatch(text, /posteo\.de\.xml/, 'no internal file name');
  t.match(body, /<svg class="qr"[^>]*role="img"/, 'QR code inline as SVG');
  t.match(text, /Never POP3 and IMAP for the same address Not even on different devices/);
  t.match(text, /Leave a copy of messages on the server/);
  t.match(text, /Add the address again as a new IMAP account/);
  t.match(text, /size limit/);
  for (const client of ['Thunderbird', 'New Outlook for Windows', 'Classic Outlook for Windows', 'iPhone and iPad (iOS 18 and 26)', 'Mac (macOS Sonoma and Sequoia)', 'Samsung Email', 'Gmail app', 'K-9 Mail', 'Outlook app', 'Any other program']) {
    t.match(text, client);
  }
  t.match(text, /provider database/);
  t.match(body, /href="\/help\/imap-pop3\?lang=en"/);
  t.match(body, /posteo\.de\/hilfe/, 'the provider documentation link');
});

t.test('STARTTLS is never called plain "SSL"', async (t) => {
  const { body } = await get('/setup?email=alice%40posteo.de');
  const securityValues = [...body.matchAll(/<strong class="security security-(\w+)">([^<]+)<\/strong>/g)].map((m) => [m[1], m[2]]);
  t.ok(securityValues.length >= 3);
  for (const [kind, label] of securityValues) {
    if (kind === 'starttls') t.equal(label, 'STARTTLS');
    if (kind === 'tls') t.equal(label, 'SSL/TLS');
  }
  t.notMatch(visible(body), /\bSSL\b(?!\/TLS)(?! verwenden)(?!”)/, 'no bare "SSL" label outside the Apple note');
});

t.test('provider specifics: enable instructions by language, app password hints', async (t) => {
  const en = visible((await get('/setup?email=erika%40t-online.de&lang=en')).body);
  t.match(en, /You need to set up an E-Mail-Password/);
  const de = await get('/setup?email=erika%40t-online.de&lang=de');
  t.match(visible(de.body), /Sie müssen ein E-Mail-Passwort einrichten/);
  t.match(de.body, /href="https:\/\/www\.telekom\.de\/hilfe\/apps-dienste\/e-mail\/programme\/passwort-verwalten"/);
  t.match(de.body, /secureimap\.t-online\.de/);
  const gmail = await get('/setup?email=bob%40gmail.com');
  t.match(visible(gmail.body), /OAuth2 \(sign in via browser\)/);
  t.match(gmail.body, /href="https:\/\/myaccount\.google\.com\/apppasswords"/);
  t.match(visible(gmail.body), /only once 2-step verification is switched on/);
  const yahooDe = await get('/setup?email=bob%40yahoo.com&lang=de');
  t.match(yahooDe.body, /<a class="external" href="[^"]+" rel="noopener noreferrer" hreflang="en"><span lang="en">How to setup email applications with imap[^<]*<\/span> <span class="link-lang">\(englisch\)<\/span>/, 'an English-only link is marked (englisch) on the German page');
});

t.test('a hostile address is escaped everywhere', async (t) => {
  const hostile = `o'&"x@posteo.de`;
  const ok = await get(`/setup?email=${encodeURIComponent(hostile)}`);
  // `"` is not allowed in an address: this is the 400 page, which echoes the input into the form.
  t.equal(ok.res.status, 400);
  t.match(ok.body, /value="o&#39;&amp;&quot;x@posteo\.de"/);
  const fine = await get(`/setup?email=${encodeURIComponent("o'&x+tag@posteo.de")}`);
  t.equal(fine.res.status, 200);
  t.match(fine.body, /o&#39;&amp;x\+tag@posteo\.de/);
  t.notMatch(fine.body, /o'&x/);
  const script = await get(`/setup?email=${encodeURIComponent('<script>alert(1)</script>@posteo.de')}`);
  t.equal(script.res.status, 400);
  t.notMatch(script.body, /<script>alert/);
  t.match(script.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;@posteo\.de/);
  const lang = await get(`/?lang=${encodeURIComponent('"><script>x</script>')}`);
  t.match(lang.body, /<html lang="en">/);
  t.notMatch(lang.body, /<script>x/);
  t.match(lang.body, /hreflang="de" href="[^"]*%22%3E%3Cscript%3Ex%3C%2Fscript%3E|hreflang="de" href="[^"]*lang=de"/);
});

t.test('language: ?lang= first, then Accept-Language, default English; switch and hreflang', async (t) => {
  const byHeader = await get('/setup?email=alice%40posteo.de', { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
  t.match(byHeader.body, /<html lang="de">/);
  t.match(visible(byHeader.body), /Posteingangsserver \(IMAP\) Empfohlen/);
  t.match(visible(byHeader.body), /Benutzername/);
  t.match(visible(byHeader.body), /Verschlüsselung/);
  const byQuery = await get('/setup?email=alice%40posteo.de&lang=en', { 'accept-language': 'de' });
  t.match(byQuery.body, /<html lang="en">/);
  const fallback = await get('/', { 'accept-language': 'fr-FR, es;q=0.8' });
  t.match(fallback.body, /<html lang="en">/);
  t.match(byQuery.body, /<link rel="alternate" hreflang="de" href="http:\/\/127\.0\.0\.1:\d+\/setup\?email=alice%40posteo\.de&amp;lang=de">/);
  t.match(byQuery.body, /<link rel="alternate" hreflang="en" href="[^"]+lang=en">/);
  t.match(byQuery.body, /<link rel="alternate" hreflang="x-default" href="http:\/\/127\.0\.0\.1:\d+\/setup\?email=alice%40posteo\.de">/);
  t.match(byQuery.body, /<a href="\/setup\?email=alice%40posteo\.de&amp;lang=de" lang="de" hreflang="de">Deutsch<\/a>/, 'visible switch');
  t.match(byHeader.body, /<input type="hidden" name="lang" value="de">/, 'the form keeps the language');
});

t.test('domain page without an address shows placeholders in words', async (t) => {
  const { res, body } = await get('/setup/posteo.de');
  t.equal(res.status, 200);
  const text = visible(body);
  t.match(text, /Email settings for addresses at posteo\.de/);
  t.match(text, /User name your full email address/);
  t.notMatch(body, /%EMAIL/, 'no raw placeholder reaches the page');
  t.match(text, /Enter your address below to get a profile/);
  t.notMatch(body, /href="\/mobileconfig/);
  const de = await get('/setup/posteo.de?lang=de');
  t.match(visible(de.body), /Ihre vollständige E-Mail-Adresse/);
});

t.test('unknown domain: helpful 404 with what was tried and the form again', async (t) => {
  const { res, body } = await get('/setup?email=someone%40unknown-domain.example');
  t.equal(res.status, 404);
  t.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  const text = visible(body);
  t.match(text, /No settings found for unknown-domain\.example/);
  t.match(text, /What we tried Provider database : nothing found/);
  t.match(text, /What you can check/);
  t.match(body, /value="someone@unknown-domain\.example"/);
  const domainPage = await get('/setup/unknown-domain.example?lang=de');
  t.equal(domainPage.res.status, 404);
  t.match(visible(domainPage.body), /Keine Einstellungen für unknown-domain\.example gefunden/);
});

t.test('invalid input: 400 with the reason in the page language and the form', async (t) => {
  const noAt = await get('/setup?email=not-an-address');
  t.equal(noAt.res.status, 400);
  t.match(visible(noAt.body), /the @ is missing/);
  t.match(noAt.body, /aria-invalid="true"/);
  t.match(noAt.body, /value="not-an-address"/);
  const de = await get('/setup?email=not-an-address&lang=de');
  t.match(visible(de.body), /Das @ fehlt/);
  const empty = await get('/setup');
  t.equal(empty.res.status, 400);
  t.match(visible(empty.body), /the field is empty/);
  const badDomain = await get('/setup/not_a..domain');
  t.equal(badDomain.res.status, 400);
  t.match(visible(badDomain.body), /not a domain name we can look up/);
});

t.test('help page and assets', async (t) => {
  const help = await get('/help/imap-pop3?lang=de');
  t.equal(help.res.status, 200);
  const text = visible(help.body);
  for (const term of ['IMAP', 'POP3', 'SMTP', 'SSL/TLS', 'STARTTLS', '993', '587', 'App-Passwort']) t.match(text, term);
  const css = await get('/assets/style.css');
  t.equal(css.res.status, 200);
  t.match(css.res.headers.get('content-type'), /^text\/css/);
  t.match(css.body, /@media print/);
  const versioned = help.body.match(/href="(\/assets\/style\.css\?v=[0-9a-f]+)"/)?.[1];
  t.ok(versioned);
  const cached = await fetch(`${server.url}${versioned}`);
  t.match(cached.headers.get('cache-control'), /immutable/);
  const etag = cached.headers.get('etag') ?? '';
  t.equal((await fetch(`${server.url}/assets/style.css`, { headers: { 'if-none-match': etag } })).status, 304);
  const js = await get('/assets/app.js');
  t.match(js.res.headers.get('content-type'), /^text\/javascript/);
  t.equal((await get('/assets/nothing.css')).res.status, 404);
  t.equal((await get('/assets/..%2Fconfig.ts')).res.status, 404);
});

// A resolver standing in for live discovery: an IDN domain found by probing, POP3 only, with warnings.
function discovered(domain: string): MailConfig {
  const source = { kind: 'probe' as const, detail: `mail.${domain}:995`, confidence: 'low' as const };
  const server = (protocol: ServerSettings['protocol'], port: number): ServerSettings => ({
    protocol,
    host: `mail.${domain}`,
    port,
    security: 'tls',
    auth: ['password-cleartext'],
    username: '%EMAILLOCALPART%',
    source,
    warnings: ['the certificate names <mail.other.example>'],
  });
  return { id: domain, domains: [domain], mxDomains: [], servers: [server('pop3', 995), server('smtp', 465)], documentation: [], enable: [], source };
}

t.test('discovery results: source in plain words, POP3-only wording, IDN shown in Unicode', async (t) => {
  const idn = 'xn--bcher-kva.example';
  const custom = await startTestServer({
    resolver: (store): SettingsResolver => ({
      async resolve(domain) {
        if (domain === idn) return { config: discovered(domain), steps: [{ kind: 'probe', subject: 'pop3.bücher.example:995', outcome: 'found', detail: 'pop3s', ms: 1 }] };
        if (domain === 'broken.example') throw new Error('resolver exploded');
        if (domain === 'nothing.example') {
          const kinds = ['database', 'autoconfig', 'well-known', 'mx', 'mx-autoconfig', 'srv'] as const;
          const server = { host: 'mail.nothing.example', port: 993, protocol: 'imap', security: 'tls' } as const;
          const steps: LookupStep[] = [
            ...kinds.map((kind) => ({ kind, subject: 'nothing.example', outcome: 'nothing' as const, detail: 'no answer', ms: 1 })),
            { kind: 'host', subject: 'mail.nothing.example', outcome: 'nothing', detail: 'no answer', ms: 1 },
            { kind: 'probe', subject: 'mail.nothing.example:993', server, outcome: 'failed', failure: 'refused', detail: 'connection refused', ms: 1 },
          ];
          return { steps };
        }
        return new DatabaseResolver(store).resolve(domain);
      },
    }),
  });
  t.teardown(() => custom.close());
  const res = await fetch(`${custom.url}/setup?email=${encodeURIComponent('jörg@bücher.example')}`);
  t.equal(res.status, 200);
  const body = await res.text();
  const text = visible(body);
  t.match(text, /Email settings for jörg@bücher\.example/);
  t.match(body, /data-copy="User name \(POP3\)">jörg<\/code>/);
  t.match(text, /offers only POP3/);
  t.match(text, /we contacted the servers directly/);
  t.match(text, /educated guess/);
  t.match(body, /Please check: the certificate names &lt;mail\.other\.example&gt;/);
  t.match(body, /mobileconfig\?emailaddress=j%C3%B6rg%40xn--bcher-kva\.example/);
  const nothing = await fetch(`${custom.url}/setup?email=a%40nothing.example&lang=de`);
  t.equal(nothing.status, 404);
  const tried = visible(await nothing.text());
  for (const words of [
    'Anbieter-Datenbank : nichts gefunden',
    'Konfigurationsdatei der Domain :',
    'Konfigurationsdatei auf der Website der Domain :',
    'Mailserver im DNS (MX) :',
    'Konfigurationsdatei des Mail-Anbieters (über MX gefunden) :',
    'Dienst-Einträge im DNS (SRV) :',
    'Serveradresse prüfen (mail.nothing.example) :',
    'Server direkt anfragen (mail.nothing.example:993 (imap, TLS)) :',
  ]) {
    t.ok(tried.includes(words), `step in words: ${words}`);
  }
  const broken = await fetch(`${custom.url}/setup?email=a%40broken.example`);
  t.equal(broken.status, 503, 'a failing lookup is a 503 page, not a 500');
  t.match(await broken.text(), /Please try again/);
});

t.test('branding: name, logo and colour from the environment', async (t) => {
  const branded = await startTestServer({
    env: { MAILCONFIG_BRAND_NAME: 'Hoster <GmbH> & Co', MAILCONFIG_BRAND_LOGO: 'https://cdn.hoster.example/logo.svg', MAILCONFIG_BRAND_COLOR: '#ffd400' },
  });
  t.teardown(() => branded.close());
  const res = await fetch(`${branded.url}/`);
  const body = await res.text();
  t.match(body, /<span>Hoster &lt;GmbH&gt; &amp; Co<\/span>/);
  t.match(body, /<img src="https:\/\/cdn\.hoster\.example\/logo\.svg" alt=""/);
  t.match(res.headers.get('content-security-policy'), /img-src 'self' https:\/\/cdn\.hoster\.example(;|$)/, 'only the logo origin is allowed');
  const themeUrl = body.match(/href="(\/assets\/theme\.css\?v=[0-9a-f]+)"/)?.[1];
  const theme = await (await fetch(`${branded.url}${themeUrl}`)).text();
  t.match(theme, /--accent:#ffd400/);
  t.match(theme, /--accent-text:#000000/, 'dark text on a light accent');
  const link = theme.match(/--link:(#[0-9a-f]{6})/)?.[1];
  t.ok(link && link !== '#ffd400', `links darkened for contrast on white (${link})`);
  const dark = await startTestServer({ env: { MAILCONFIG_BRAND_COLOR: '#203' } });
  t.teardown(() => dark.close());
  const darkHtml = await (await fetch(`${dark.url}/`)).text();
  const darkTheme = await (await fetch(`${dark.url}${darkHtml.match(/href="(\/assets\/theme\.css\?v=[0-9a-f]+)"/)?.[1]}`)).text();
  t.match(darkTheme, /--accent:#220033;--accent-text:#ffffff/);
});

t.test('invalid branding stops the start with the variable named', async (t) => {
  t.throws(() => loadConfig({ MAILCONFIG_BRAND_COLOR: 'blue' }), new ConfigError('MAILCONFIG_BRAND_COLOR=blue is not a hex colour like #1c5d99'));
  t.throws(() => loadConfig({ MAILCONFIG_BRAND_COLOR: '#12345' }), ConfigError);
  t.throws(() => loadConfig({ MAILCONFIG_BRAND_LOGO: 'javascript:alert(1)' }), /MAILCONFIG_BRAND_LOGO/);
  t.throws(() => loadConfig({ MAILCONFIG_BRAND_LOGO: 'not a url' }), /MAILCONFIG_BRAND_LOGO/);
  t.equal(loadConfig({ MAILCONFIG_BRAND_COLOR: 'ABC' }).brand.color, '#aabbcc');
  t.match(loadConfig({}).brand, { name: undefined, logo: undefined, color: undefined, domains: [] });
  t.throws(() => loadConfig({ MAILCONFIG_BRAND_IMPRINT_URL: 'javascript:alert(1)' }), /MAILCONFIG_BRAND_IMPRINT_URL/);
  t.throws(() => loadConfig({ MAILCONFIG_BRAND_SUPPORT_EMAIL: 'not an address' }), /MAILCONFIG_BRAND_SUPPORT_EMAIL/);
  t.throws(() => loadConfig({ MAILCONFIG_BRAND_DOMAINS: 'hoster.example, bad domain' }), /MAILCONFIG_BRAND_DOMAINS/);
  t.same(loadConfig({ MAILCONFIG_BRAND_DOMAINS: 'Hoster.example, mail.hoster.example' }).brand.domains, ['hoster.example', 'mail.hoster.example']);
});
