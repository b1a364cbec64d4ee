import t from 'tap';
import { PROTOCOLS, isProtocol } from '../../src/settings/model.js';
import { SECURITIES, SECURITY_MODES, alternatives, securityFromSocketType, securityFromWord, securityWordsText, socketTypesText } from '../../src/settings/security.js';
import { ADDRESS_MARKERS, PLACEHOLDERS, splitPlaceholders } from '../../src/settings/placeholders.js';

t.test('every security mode reads back from each of its spellings', async (t) => {
  t.same([...SECURITIES].sort(), Object.keys(SECURITY_MODES).sort(), 'the list and the table name the same modes');
  for (const security of SECURITIES) {
    const mode = SECURITY_MODES[security];
    t.equal(securityFromSocketType(mode.socketType), security, `socketType ${mode.socketType}`);
    t.equal(mode.names[0], security, 'the model name is accepted first');
    for (const name of mode.names) {
      t.equal(securityFromWord(name), security, name);
      t.equal(securityFromWord(` ${name.toUpperCase()} `), security, `${name} in any case`);
    }
  }
  t.equal(securityFromSocketType('ssl'), undefined, 'socketType is read exactly as the format spells it');
  t.equal(securityFromSocketType('TLS'), undefined);
  t.equal(securityFromWord('secure'), undefined);
  t.same(SECURITIES.filter((s) => !SECURITY_MODES[s].encrypted), ['none'], 'only "none" is unencrypted');
  const names = SECURITIES.flatMap((s) => SECURITY_MODES[s].names);
  t.equal(new Set(names).size, names.length, 'no word names two modes');
});

t.test('the lists in messages come from the table', async (t) => {
  t.equal(socketTypesText(), 'SSL, STARTTLS or plain');
  t.equal(securityWordsText(), '"tls" (or "ssl"), "starttls" or "none" (or "plain")');
  t.equal(alternatives(['a']), 'a');
  t.equal(alternatives([]), '');
});

t.test('one protocol list', async (t) => {
  t.same(PROTOCOLS, ['imap', 'pop3', 'smtp']);
  t.ok(isProtocol('pop3'));
  t.notOk(isProtocol('IMAP'), 'protocol names are lower case');
  t.notOk(isProtocol(undefined));
});

t.test('placeholders: one list behind the markers and the split', async (t) => {
  t.same(PLACEHOLDERS.map((p) => p.name), ['EMAILADDRESS', 'EMAILLOCALPART', 'EMAILDOMAIN', 'REALNAME']);
  t.same(ADDRESS_MARKERS, { '%EMAILADDRESS%': 'address', '%EMAILLOCALPART%': 'localPart', '%EMAILDOMAIN%': 'domain' });
  t.same(splitPlaceholders('%EMAILLOCALPART%+x@%EMAILDOMAIN%'), [{ placeholder: 'EMAILLOCALPART' }, { text: '+x@' }, { placeholder: 'EMAILDOMAIN' }]);
  t.same(splitPlaceholders('%REALNAME% <%EMAILADDRESS%>'), [{ placeholder: 'REALNAME' }, { text: ' <' }, { placeholder: 'EMAILADDRESS' }, { text: '>' }]);
  t.same(splitPlaceholders('%EMAILADDRESS'), [{ text: '%EMAILADDRESS' }], 'a broken placeholder is text');
  t.same(splitPlaceholders('%emailaddress%'), [{ text: '%emailaddress%' }], 'placeholders are upper case');
  t.same(splitPlaceholders(''), []);
});
