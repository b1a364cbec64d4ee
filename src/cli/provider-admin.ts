import { parseArgs } from 'node:util';
import { mxDomains } from '../discovery/mx.js';
import { BUNDLED_PROVIDERS } from '../config.js';
import { renderClientConfig } from '../formats/thunderbird.js';
import { isProviderKey } from '../providers/checks.js';
import { diffProviders, formatChange } from '../providers/diff.js';
import type { Problem } from '../providers/parse.js';
import { openProviderDatabase, type ProviderEntry, type ProviderIndex } from '../providers/database.js';
import { LiveProviderStore } from '../providers/store.js';
import { AddressError, parseAddressOrDomain, parseDomain, type EmailAddress } from '../settings/address.js';
import { PROTOCOLS, URL_PROTOCOLS, type AuthMethod, type Logo, type MailConfig, type OAuth2Settings, type Protocol, type Provenance, type Security, type ServerSettings, type UrlAuthMethod } from '../settings/model.js';
import { SECURITY_MODES, securityFromWord } from '../settings/security.js';
import { personalize } from '../settings/placeholders.js';
import { rankServers } from '../settings/preference.js';
import { displayPath, formatProblem, formatTable } from './format.js';
import type { CliIo } from './io.js';
import { MailconfigError } from '../settings/errors.js';

/** A mistake in how the command was called: printed as one line, exit code 2. */
class UsageError extends MailconfigError {
  constructor(message: string) {
    super('MAILCONFIG_CLI_USAGE', message);
  }
}

const ADD_USAGE = `Usage: mailconfig providers add --id ID --domain D [--domain D ...] [--mx-domain M ...]
         --imap HOST:PORT:SECURITY [--imap ...] [--pop3 HOST:PORT:SECURITY ...] --smtp HOST:PORT:SECURITY [--smtp ...]
         [--username email|localpart] [--name "Display Name"] [--short-name NAME] [--dir providers] [--force]
         [--oauth-issuer URL --oauth-scope "S ..." --oauth-auth-url URL --oauth-token-url URL [--oauth-client-id ID]]
         [--no-passwords] [--jmap URL] [--caldav URL] [--carddav URL] [--webdav URL]
         [--logo URL[,TYPE][,WxH] ...] [--help-url URL] [--developer URL] [--contact URI ...]

  SECURITY is ssl (or tls), starttls, or plain (or none). Servers are offered in the order given.
  With --oauth-issuer every server and URL service offers OAuth2 first (a public client: never a secret); with
  --no-passwords OAuth2 is the only way in. JMAP, CalDAV, CardDAV and WebDAV are https URLs (Autoconfig 1.2
  sections; the CalDAV/CardDAV URL is the context path, e.g. https://dav.hoster.example/caldav/). The logo type
  follows from .svg/.png/.jpg/.webp or is given, e.g. --logo https://hoster.example/logo,image/png,64x64.
  Example: mailconfig providers add --id hoster.example --domain hoster.example --mx-domain mx.hoster.example \\
             --imap imap.hoster.example:993:ssl --smtp smtp.hoster.example:587:starttls
`;

function print(stream: CliIo['stdout'], lines: string[] | string): void {
  const text = Array.isArray(lines) ? lines.join('\n') : lines;
  if (text !== '') stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Runs a command body, turning a UsageError into its message and exit code 2. */
async function withUsage(name: string, usage: string, io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    print(io.stderr, [`mailconfig providers ${name}: ${error.message}`, '', usage]);
    return 2;
  }
}

// ---------------------------------------------------------------- add

export async function addCommand(args: string[], io: CliIo): Promise<number> {
  return withUsage('add', ADD_USAGE, io, async () => {
    const { values } = parseArgs({
      args,
      options: {
        id: { type: 'string' },
        domain: { type: 'string', multiple: true },
        'mx-domain': { type: 'string', multiple: true },
        imap: { type: 'string', multiple: true },
        pop3: { type: 'string', multiple: true },
        smtp: { type: 'string', multiple: true },
        username: { type: 'string' },
        name: { type: 'string' },
        'short-name': { type: 'string' },
        'oauth-issuer': { type: 'string' },
        'oauth-scope': { type: 'string' },
        'oauth-auth-url': { type: 'string' },
        'oauth-token-url': { type: 'string' },
        'oauth-client-id': { type: 'string' },
        'no-passwords': { type: 'boolean' },
        jmap: { type: 'string' },
        caldav: { type: 'string' },
        carddav: { type: 'string' },
        webdav: { type: 'string' },
        logo: { type: 'string', multiple: true },
        'help-url': { type: 'string' },
        developer: { type: 'string' },
        contact: { type: 'string', multiple: true },
        dir: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      print(io.stdout, ADD_USAGE);
      return 0;
    }
    const config = configFromFlags(values);
    const dir = values.dir ?? BUNDLED_PROVIDERS;
    const store = await LiveProviderStore.open(dir);
    // The same validation as the admin API: the parser, then the other files (no domain claimed twice).
    const result = await store.write(config.id, renderClientConfig(config), { expect: values.force ? 'any' : 'absent' });
    const path = displayPath(dir, `${config.id}.xml`, io.cwd);
    if (result.status === 'precondition-failed') {
      print(io.stderr, `mailconfig providers add: ${path} already exists; add --force to replace it (see "mailconfig providers show ${config.domains[0] ?? config.mxDomains[0]}")`);
      return 1;
    }
    if (result.status === 'invalid') {
      print(io.stderr, result.problems.map((p) => formatProblem(dir, p, io.cwd)));
      print(io.stderr, `mailconfig providers add: ${path} not written`);
      return 1;
    }
    print(io.stdout, renderClientConfig(result.entry.config));
    print(io.stderr, result.warnings.map((p) => formatProblem(dir, p, io.cwd)));
    print(io.stderr, `${result.created ? 'wrote' : 'replaced'} ${path}: ${config.domains.length} domains, ${config.mxDomains.length} MX domains, ${config.servers.length} servers`);
    return 0;
  });
}

interface AddFlags {
  id?: string;
  domain?: string[];
  'mx-domain'?: string[];
  imap?: string[];
  pop3?: string[];
  smtp?: string[];
  username?: string;
  name?: string;
  'short-name'?: string;
  'oauth-issuer'?: string;
  'oauth-scope'?: string;
  'oauth-auth-url'?: string;
  'oauth-token-url'?: string;
  'oauth-client-id'?: string;
  'no-passwords'?: boolean;
  jmap?: string;
  caldav?: string;
  carddav?: string;
  webdav?: string;
  logo?: string[];
  'help-url'?: string;
  developer?: string;
  contact?: string[];
}

const USERNAMES: Record<string, string> = { email: '%EMAILADDRESS%', localpart: '%EMAILLOCALPART%' };

function configFromFlags(flags: AddFlags): MailConfig {
  const id = flags.id?.trim();
  if (!id) throw new UsageError('--id is required: the file name without .xml, e.g. --id hoster.example');
  if (!isProviderKey(id)) throw new UsageError(`--id "${id}" must be lower-case letters, digits, ".", "_" or "-", starting with a letter or digit`);
  const domains = (flags.domain ?? []).map((d) => domainFlag('--domain', d));
  const mxDomains = (flags['mx-domain'] ?? []).map((d) => domainFlag('--mx-domain', d));
  if (domains.length === 0 && mxDomains.length === 0) throw new UsageError('name at least one --domain (or --mx-domain)');
  const usernameWord = flags.username ?? 'email';
  const username = USERNAMES[usernameWord];
  if (!username) throw new UsageError(`--username "${usernameWord}" must be "email" (the whole address) or "localpart" (the part before the @)`);
  const source: Provenance = { kind: 'database', detail: `${id}.xml`, confidence: 'high' };
  const oauth2 = oauthFlags(flags);
  if (flags['no-passwords'] && !oauth2) throw new UsageError('--no-passwords needs --oauth-issuer (and the other --oauth flags): without passwords OAuth2 is the only way in');
  const mailAuth: AuthMethod[] = oauth2 ? (flags['no-passwords'] ? ['OAuth2'] : ['OAuth2', 'password-cleartext']) : ['password-cleartext'];
  const urlAuth: UrlAuthMethod[] = oauth2 ? (flags['no-passwords'] ? ['OAuth2'] : ['OAuth2', 'Basic']) : ['Basic'];
  const servers = PROTOCOLS.flatMap((protocol) => (flags[protocol] ?? []).map((spec) => ({ ...serverFlag(protocol, spec, username, source), auth: [...mailAuth] })));
  if (!servers.some((s) => s.protocol !== 'smtp')) throw new UsageError('name at least one --imap or --pop3 server');
  if (!servers.some((s) => s.protocol === 'smtp')) throw new UsageError('name at least one --smtp server (clients cannot send mail without one)');
  const config: MailConfig = { id, domains, mxDomains, servers, documentation: [], enable: [], source };
  const name = flags.name?.trim();
  if (name) config.displayName = name;
  const shortName = flags['short-name']?.trim();
  if (shortName) config.displayShortName = shortName;
  if (oauth2) config.oauth2 = oauth2;
  const services = URL_PROTOCOLS.flatMap((protocol) => {
    const url = flags[protocol];
    return url === undefined ? [] : [{ protocol, url: httpsFlag(`--${protocol}`, url), auth: [...urlAuth], username, source }];
  });
  if (services.length > 0) config.services = services;
  const help = flags['help-url'];
  if (help !== undefined) config.documentation = [{ url: webFlag('--help-url', help), descriptions: [] }];
  if (flags.logo) config.logos = flags.logo.map(logoFlag);
  if (flags.developer !== undefined) config.developerUrl = webFlag('--developer', flags.developer);
  if (flags.contact) config.contacts = flags.contact.map((uri) => uri.trim());
  return config;
}

function oauthFlags(flags: AddFlags): OAuth2Settings | undefined {
  const names = ['oauth-issuer', 'oauth-scope', 'oauth-auth-url', 'oauth-token-url'] as const;
  const given = names.filter((n) => flags[n] !== undefined);
  if (given.length === 0) {
    if (flags['oauth-client-id'] !== undefined) throw new UsageError('--oauth-client-id needs --oauth-issuer, --oauth-scope, --oauth-auth-url and --oauth-token-url');
    return undefined;
  }
  const missing = names.filter((n) => flags[n] === undefined);
  if (missing.length > 0) throw new UsageError(`OAuth2 needs all of ${names.map((n) => `--${n}`).join(', ')}; missing ${missing.map((n) => `--${n}`).join(', ')}`);
  const issuer = httpsFlag('--oauth-issuer', flags['oauth-issuer']!);
  if (/[?#]/.test(issuer)) throw new UsageError(`--oauth-issuer "${issuer}": an issuer has no query or fragment (RFC 8414)`);
  const oauth: OAuth2Settings = {
    issuer,
    scope: flags['oauth-scope']!.trim(),
    authURL: httpsFlag('--oauth-auth-url', flags['oauth-auth-url']!),
    tokenURL: httpsFlag('--oauth-token-url', flags['oauth-token-url']!),
  };
  const clientId = flags['oauth-client-id']?.trim();
  if (clientId) oauth.clientId = clientId;
  return oauth;
}

function httpsFlag(flag: string, value: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`${flag} "${value}" must be an https:// URL`);
  return text;
}

function webFlag(flag: string, value: string): string {
  const text = value.trim();
  try {
    if (['https:', 'http:'].includes(new URL(text).protocol)) return text;
  } catch {
    // reported below
  }
  throw new UsageError(`${flag} "${value}" is not an http(s) URL`);
}

const LOGO_TYPES: Record<string, string> = { svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

/** `URL[,TYPE][,WxH]`, e.g. `https://hoster.example/logo.svg` or `https://hoster.example/logo,image/png,64x64`. */
function logoFlag(spec: string): Logo {
  const [urlText = '', ...rest] = spec.split(',').map((part) => part.trim());
  const url = httpsFlag('--logo', urlText);
  const logo: Logo = { url, contentType: '' };
  for (const part of rest) {
    const size = /^([0-9]{1,5})x([0-9]{1,5})$/.exec(part);
    if (size) {
      logo.width = Number(size[1]);
      logo.height = Number(size[2]);
    } else if (/^image\/[a-z0-9.+-]+$/i.test(part)) logo.contentType = part.toLowerCase();
    else throw new UsageError(`--logo "${spec}": "${part}" is neither an image type (image/png) nor a size (64x64)`);
  }
  if (logo.contentType === '') {
    const extension = /\.([a-z]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase() ?? '';
    const type = LOGO_TYPES[extension];
    if (!type) throw new UsageError(`--logo "${spec}": give the image type, e.g. --logo ${url},image/png`);
    logo.contentType = type;
  }
  return logo;
}

function domainFlag(flag: string, value: string): string {
  try {
    return parseDomain(value);
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(`${flag} "${value}": ${error.message}`);
    throw error;
  }
}

/** `host:port:security`, e.g. `imap.hoster.example:993:ssl`. */
function serverFlag(protocol: Protocol, spec: string, username: string, source: Provenance): ServerSettings {
  const flag = `--${protocol} "${spec}"`;
  const parts = spec.split(':');
  if (parts.length !== 3) throw new UsageError(`${flag}: expected HOST:PORT:SECURITY, e.g. ${protocol}.hoster.example:${protocol === 'smtp' ? '587:starttls' : protocol === 'imap' ? '993:ssl' : '995:ssl'}`);
  const [hostText, portText, securityText] = parts as [string, string, string];
  const host = domainFlag(`${flag}: host`, hostText);
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`${flag}: port "${portText}" is not a number from 1 to 65535`);
  const security: Security | undefined = securityFromWord(securityText);
  if (!security) throw new UsageError(`${flag}: security "${securityText}" must be ssl (or tls), starttls, or plain (or none)`);
  return { protocol, host, port, security, auth: ['password-cleartext'], username, source };
}

// ---------------------------------------------------------------- show

const SHOW_USAGE = `Usage: mailconfig providers show <domain|address|mx-host> [--dir providers]

  Prints which provider file answers and the settings clients get, servers in preference order. A name that is not
  an address domain is tried as an MX host (itself, without its first label, its registrable domain), as the
  service does with an MX record; show itself never looks up DNS.
`;

export async function showCommand(args: string[], io: CliIo): Promise<number> {
  return withUsage('show', SHOW_USAGE, io, async () => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      print(io.stdout, SHOW_USAGE);
      return 0;
    }
    const target = positionals[0];
    if (!target || positionals.length > 1) throw new UsageError('name one domain, address or MX host');
    const { domain, address } = parseTarget(target);
    const dir = values.dir ?? BUNDLED_PROVIDERS;
    const { index } = await openProviderDatabase(dir);
    const match = findProvider(index, domain);
    if (!match) {
      print(io.stderr, `mailconfig providers show: no provider in ${displayPath(dir, '', io.cwd)} answers for ${domain} (not an address domain; as an MX host it matches no MX domain either)`);
      return 1;
    }
    print(io.stdout, describeMatch(dir, target, match, address, io.cwd));
    return 0;
  });
}

function parseTarget(target: string): { domain: string; address?: EmailAddress } {
  try {
    return parseAddressOrDomain(target);
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(`"${target}": ${error.message}`);
    throw error;
  }
}

interface Match {
  entry: ProviderEntry;
  /** The domain that matched, and how. */
  matched: string;
  how: 'address domain' | 'MX domain';
}

/** The address domain first; then the name taken as an MX host, as discovery matches MX records. */
function findProvider(index: ProviderIndex, domain: string): Match | undefined {
  const direct = index.byDomain(domain);
  if (direct) return { entry: direct, matched: domain, how: 'address domain' };
  // The name itself (an MX domain), then the MX host's domains exactly as discovery derives them.
  for (const candidate of [domain, ...mxDomains(domain)]) {
    const entry = index.byMxDomain(candidate);
    if (entry) return { entry, matched: candidate, how: entry.config.mxDomains.includes(candidate) ? 'MX domain' : 'address domain' };
  }
  return undefined;
}

function describeMatch(dir: string, target: string, match: Match, address: EmailAddress | undefined, cwd: string): string[] {
  const { entry } = match;
  const config = personalize(entry.config, address);
  const line = entry.domainLines.get(match.matched) ?? 1;
  const direct = match.matched === target.toLowerCase() || match.matched === address?.domain;
  const via = direct ? `${match.how} ${match.matched}` : `${match.how} ${match.matched} (${target} taken as an MX host)`;
  const list = (domains: string[]) => (domains.length > 12 ? `${domains.slice(0, 12).join(', ')} (+${domains.length - 12} more)` : domains.join(', ') || '(none)');
  const rows = rankServers(config.servers).map((s) => [s.protocol.toUpperCase(), s.host, String(s.port), SECURITY_MODES[s.security].word, s.username || '(none)', s.auth.join(', ')]);
  const out = [
    `${target}: answered by ${displayPath(dir, entry.file, cwd)}:${line} via ${via}`,
    `provider: ${config.displayName ? `${config.displayName} (id ${config.id})` : `id ${config.id}`}`,
    `domains: ${list(config.domains)}`,
  ];
  if (config.mxDomains.length > 0) out.push(`MX domains: ${list(config.mxDomains)}`);
  out.push('', ...formatTable(['protocol', 'host', 'port', 'security', 'username', 'authentication'], rows).map((l) => `  ${l}`));
  for (const service of config.services ?? []) out.push(`  ${service.protocol.toUpperCase().padEnd(8)} ${service.url}  (${service.auth.join(', ')})`);
  if (config.oauth2) out.push('', `OAuth2: issuer ${config.oauth2.issuer}${config.oauth2.clientId ? `, client id ${config.oauth2.clientId}` : ''}`);
  for (const doc of config.documentation) out.push('', `help: ${doc.url}`);
  if (!address) out.push('', 'Placeholders such as %EMAILADDRESS% are filled in per address (try an address instead of a domain).');
  return out;
}

// ---------------------------------------------------------------- diff

const DIFF_USAGE = `Usage: mailconfig providers diff <dir-a> <dir-b>

  What changes for clients going from dir-a to dir-b, per domain: + added, - removed, ~ changed (servers old -> new,
  moved to another file). Exit code 0 when equal, 1 when different, 2 on trouble (like diff).
`;

export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  return withUsage('diff', DIFF_USAGE, io, async () => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      print(io.stdout, DIFF_USAGE);
      return 0;
    }
    const [a, b] = positionals;
    if (!a || !b || positionals.length > 2) throw new UsageError('name two provider directories: the current one and the changed one');
    let before: Awaited<ReturnType<typeof openProviderDatabase>>;
    let after: Awaited<ReturnType<typeof openProviderDatabase>>;
    try {
      [before, after] = await Promise.all([openProviderDatabase(a), openProviderDatabase(b)]);
    } catch (error) {
      print(io.stderr, `mailconfig providers diff: ${(error as Error).message}`);
      return 2;
    }
    // Files that would not be served are not part of what clients see; say so, so a broken file is not missed.
    noteSkipped(io, a, before.problems);
    noteSkipped(io, b, after.problems);
    const changes = diffProviders(before.index.entries(), after.index.entries());
    if (changes.length === 0) {
      print(io.stdout, 'no differences for clients');
      return 0;
    }
    print(io.stdout, changes.flatMap(formatChange));
    const count = (kind: string) => changes.filter((c) => c.kind === kind).length;
    print(io.stdout, `${count('added')} added, ${count('removed')} removed, ${count('changed')} changed`);
    return 1;
  });
}

function noteSkipped(io: CliIo, dir: string, problems: Problem[]): void {
  const errors = problems.filter((p) => p.severity === 'error');
  for (const p of errors) print(io.stderr, `note: ${formatProblem(dir, p, io.cwd)} (not served, left out of the comparison)`);
}
