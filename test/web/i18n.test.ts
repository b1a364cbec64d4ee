import t from 'tap';
import { ADDRESS_ERROR_CODES, AddressError, parseAddress } from '../../src/settings/address.js';
import { placeholdersOfTemplate } from '../../src/check/messages.js';
import { CHECK_TABLES } from '../../src/web/i18n/check.js';
import { CATALOGUES, LANGS, chooseLanguage, placeholdersOf, translator } from '../../src/web/i18n/index.js';
import { reasonKey } from '../../src/web/reasons.js';

t.test('every key exists, is non-empty and uses the same {placeholders} in every catalogue', async (t) => {
  const all = new Set(LANGS.flatMap((lang) => Object.keys(CATALOGUES[lang])));
  t.ok(all.size > 100, `the catalogues hold the page texts (${all.size} keys)`);
  for (const lang of LANGS) {
    const catalogue = CATALOGUES[lang] as Record<string, unknown>;
    const missing = [...all].filter((key) => !(key in catalogue));
    t.same(missing, [], `${lang}: no key missing`);
    const empty = [...all].filter((key) => typeof catalogue[key] !== 'string' || (catalogue[key] as string).trim() === '');
    t.same(empty, [], `${lang}: no key empty`);
  }
  const mismatched = [...all].filter((key) => {
    const sets = LANGS.map((lang) => placeholdersOf((CATALOGUES[lang] as Record<string, string>)[key] ?? '').join(','));
    return new Set(sets).size > 1;
  });
  t.same(mismatched, [], 'placeholders agree across languages');
});

const SAME_IN_BOTH = new Set(['tb.title']); // "Thunderbird (Windows, Mac, Linux)"

t.test('German is a translation, not a copy', async (t) => {
  // Language names, protocol names and security labels are the same in both; prose must not be.
  const same = Object.keys(CATALOGUES.en).filter((key) => {
    const en = (CATALOGUES.en as Record<string, string>)[key];
    return en === (CATALOGUES.de as Record<string, string>)[key] && en !== undefined && en.split(' ').length > 3 && !SAME_IN_BOTH.has(key);
  });
  t.same(same, [], 'no sentence left in English in the German catalogue');
  t.match(CATALOGUES.de['card.imap.title'], /Posteingangsserver/);
  t.match(CATALOGUES.de['card.smtp.title'], /Postausgangsserver/);
  t.equal(CATALOGUES.de['field.username'], 'Benutzername');
  t.equal(CATALOGUES.de['field.security'], 'Verschlüsselung');
});

t.test('a missing key is caught by the check above', async (t) => {
  // The same check run on a damaged copy must fail: the test above can fail.
  const broken: Record<string, string> = { ...CATALOGUES.de };
  delete broken['warn.both'];
  broken['warn.size'] = '  ';
  const all = Object.keys(CATALOGUES.en);
  t.same(all.filter((k) => !(k in broken)), ['warn.both']);
  t.same(all.filter((k) => k in broken && broken[k]?.trim() === ''), ['warn.size']);
});

t.test('language choice: ?lang=, then Accept-Language (with q-values), then English', async (t) => {
  t.equal(chooseLanguage('de', 'en'), 'de');
  t.equal(chooseLanguage('EN', 'de'), 'en');
  t.equal(chooseLanguage('fr', 'de-DE,de;q=0.9'), 'de', 'unknown ?lang falls through to the header');
  t.equal(chooseLanguage(undefined, 'de-AT'), 'de');
  t.equal(chooseLanguage(undefined, 'fr-FR, en;q=0.4, de;q=0.8'), 'de');
  t.equal(chooseLanguage(undefined, 'en-GB;q=0.9, de;q=0.1'), 'en');
  t.equal(chooseLanguage(undefined, 'de;q=0'), 'en', 'q=0 means not wanted');
  t.equal(chooseLanguage(undefined, 'fr, it'), 'en');
  t.equal(chooseLanguage(undefined, undefined), 'en');
  t.equal(chooseLanguage('<script>', '*'), 'en');
});

t.test('translator fills values; the markup variant escapes the message and plain values', async (t) => {
  const tr = translator('de');
  t.equal(tr.t('setup.title', { address: 'a@b.de' }), 'E-Mail-Einstellungen für a@b.de');
  t.equal(tr.h('setup.title', { address: '<b>' }).value, 'E-Mail-Einstellungen für &lt;b&gt;');
  t.equal(translator('en').h('ios.p2').value.includes('VPN &amp; Device Management'), true);
});

t.test('every code an address or domain is refused with has its own translation in every language', async (t) => {
  const keys = ADDRESS_ERROR_CODES.map((code) => reasonKey(code));
  t.equal(new Set(keys).size, ADDRESS_ERROR_CODES.length, 'one text per reason');
  for (const lang of LANGS) {
    for (const key of keys) t.ok(CATALOGUES[lang][key], `${lang}: ${key}`);
  }
  const inputs = [
    '', 'x'.repeat(255), 'no-at-sign', '@example.org', `${'a'.repeat(65)}@example.org`, 'a b@example.org', '.a@example.org',
    'a@', 'a@exa mple.org', 'a@[1.2.3.4]', 'a@-bad-.org', 'a@localhost', 'a@1.2.3.4',
  ];
  const seen = new Set<string>();
  for (const input of inputs) {
    try {
      parseAddress(input);
      t.fail(`${input} should be refused`);
    } catch (error) {
      t.ok(error instanceof AddressError);
      if (error instanceof AddressError) seen.add(error.code);
    }
  }
  t.equal(seen.size, inputs.length, `each input refused for its own reason: ${[...seen].join(', ')}`);
  t.ok([...seen].every((code) => (ADDRESS_ERROR_CODES as readonly string[]).includes(code)));
});

t.test('the domain check sentences: every key in every language, same {placeholders}, German not a copy', async (t) => {
  const keys = Object.keys(CHECK_TABLES.en) as (keyof typeof CHECK_TABLES.en)[];
  t.ok(keys.length > 60, `${keys.length} sentences`);
  for (const lang of LANGS) {
    const table = CHECK_TABLES[lang];
    t.same(keys.filter((key) => typeof table[key] !== 'string' || table[key].trim() === ''), [], `${lang}: none missing or empty`);
    t.same(keys.filter((key) => placeholdersOfTemplate(table[key]).join() !== placeholdersOfTemplate(CHECK_TABLES.en[key]).join()), [], `${lang}: placeholders agree`);
  }
  const copied = keys.filter((key) => CHECK_TABLES.de[key] === CHECK_TABLES.en[key] && CHECK_TABLES.en[key].split(' ').length > 2);
  t.same(copied, [], 'German prose is translated');
});
