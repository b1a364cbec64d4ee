import { renderClientConfig } from '../formats/thunderbird.js';
import { isProtocol, PROTOCOLS, URL_PROTOCOLS, type AuthMethod, type Documentation, type EnableInstructions, type LocalizedText, type Logo, type MailConfig, type Pop3Options, type Provenance, type ServerSettings, type SmtpOptions, type UrlAuthMethod, type UrlProtocol, type UrlService } from '../settings/model.js';
import { alternatives, securityFromWord, securityWordsText } from '../settings/security.js';
import { withoutUndefined } from './parse.js';

/** A structural problem in a JSON provider, by JSON path (line numbers only exist once it is rendered to XML). */
export interface JsonProblem {
  path: string;
  message: string;
}


type Json = Record<string, unknown>;

/**
 * Reads the `MailConfig` shape from JSON (as the admin API's GET returns it). Only the shape is checked here; the
 * caller renders it to XML and validates that with the provider parser, so JSON and XML are held to the same rules.
 * Omitted `id` becomes the provider key; omitted `auth` and `username` get the common defaults.
 */
function configFromJson(value: unknown, key: string): { config?: MailConfig; problems: JsonProblem[] } {
  const problems: JsonProblem[] = [];
  const reader = new Reader(problems);
  if (!isObject(value)) return { problems: [{ path: '$', message: 'expected a JSON object with the MailConfig fields (domains, servers, ...)' }] };
  const source: Provenance = { kind: 'database', detail: `${key}.xml`, confidence: 'high' };
  const servers = reader.array(value, 'servers', '$', true).flatMap((item, i) => reader.server(item, `$.servers[${i}]`, source));
  const config: MailConfig = {
    id: reader.string(value, 'id', '$') ?? key,
    domains: reader.strings(value, 'domains', '$'),
    mxDomains: reader.strings(value, 'mxDomains', '$'),
    displayName: reader.string(value, 'displayName', '$'),
    displayShortName: reader.string(value, 'displayShortName', '$'),
    servers,
    documentation: reader.array(value, 'documentation', '$').flatMap((item, i) => reader.documentation(item, `$.documentation[${i}]`)),
    enable: reader.array(value, 'enable', '$').flatMap((item, i) => reader.enable(item, `$.enable[${i}]`)),
    oauth2: reader.oauth2(value.oauth2, '$.oauth2'),
    webmailUrl: reader.string(value, 'webmailUrl', '$'),
    source,
  };
  // The newer facts (Autoconfig 1.2 and PACC); omitted members stay absent, as the parser leaves them.
  const services = reader.array(value, 'services', '$').flatMap((item, i) => reader.service(item, `$.services[${i}]`, source));
  if (services.length > 0) config.services = services;
  const logos = reader.array(value, 'logos', '$').flatMap((item, i) => reader.logo(item, `$.logos[${i}]`));
  if (logos.length > 0) config.logos = logos;
  const developerUrl = reader.string(value, 'developerUrl', '$');
  if (developerUrl !== undefined) config.developerUrl = developerUrl;
  const contacts = reader.strings(value, 'contacts', '$');
  if (contacts.length > 0) config.contacts = contacts;
  return problems.length > 0 ? { problems } : { config, problems };
}

export type ProviderJson =
  | { ok: true; xml: string }
  | { ok: false; kind: 'syntax'; message: string }
  | { ok: false; kind: 'shape'; problems: JsonProblem[] };

/**
 * A provider sent as JSON text, in the MailConfig shape or wrapped as `{config: ...}` the way the admin API's GET
 * returns it, rendered to the provider file XML the importer writes (which the caller then validates like any file).
 */
export function providerXmlFromJson(text: string, key: string): ProviderJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, kind: 'syntax', message: (error as Error).message };
  }
  if (isWrapper(value)) value = value.config;
  const { config, problems } = configFromJson(value, key);
  if (!config) return { ok: false, kind: 'shape', problems };
  return { ok: true, xml: renderClientConfig(config) };
}

function isWrapper(value: unknown): value is { config: unknown } {
  return isObject(value) && 'config' in value && !('servers' in value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(private readonly problems: JsonProblem[]) {}

  private fail(path: string, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  string(obj: Json, name: string, at: string, required = false): string | undefined {
    const value = obj[name];
    if (value === undefined || value === null) return required ? this.fail(`${at}.${name}`, 'is required') : undefined;
    if (typeof value !== 'string') return this.fail(`${at}.${name}`, 'must be a string');
    return value;
  }

  boolean(obj: Json, name: string, at: string): boolean | undefined {
    const value = obj[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') return this.fail(`${at}.${name}`, 'must be true or false');
    return value;
  }

  count(obj: Json, name: string, at: string): number | undefined {
    const value = obj[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return this.fail(`${at}.${name}`, 'must be a whole number');
    return value;
  }

  array(obj: Json, name: string, at: string, required = false): unknown[] {
    const value = obj[name];
    if (value === undefined || value === null) {
      if (required) this.fail(`${at}.${name}`, 'is required');
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(`${at}.${name}`, 'must be an array');
      return [];
    }
    return value;
  }

  strings(obj: Json, name: string, at: string): string[] {
    return this.array(obj, name, at).flatMap((item, i) => (typeof item === 'string' ? [item] : (this.fail(`${at}.${name}[${i}]`, 'must be a string'), [])));
  }

  server(item: unknown, at: string, source: Provenance): ServerSettings[] {
    if (!isObject(item)) return (this.fail(at, 'must be an object'), []);
    const protocol = this.string(item, 'protocol', at, true);
    if (protocol !== undefined && !isProtocol(protocol)) this.fail(`${at}.protocol`, `must be ${alternatives(PROTOCOLS.map((p) => `"${p}"`))}`);
    const host = this.string(item, 'host', at, true);
    const port = this.port(item.port, `${at}.port`);
    const securityWord = this.string(item, 'security', at, true);
    const security = securityWord === undefined ? undefined : securityFromWord(securityWord);
    if (securityWord !== undefined && !security) this.fail(`${at}.security`, `must be ${securityWordsText()}`);
    const auth = typeof item.auth === 'string' ? [item.auth] : this.strings(item, 'auth', at);
    const username = this.string(item, 'username', at) ?? '%EMAILADDRESS%';
    if (host === undefined || port === undefined || !security || !isProtocol(protocol)) return [];
    // Unknown method names pass through as text: the provider parser reports them with their line.
    const server: ServerSettings = { protocol, host, port, security, auth: (auth.length > 0 ? auth : ['password-cleartext']) as AuthMethod[], username, source };
    if (protocol === 'pop3' && isObject(item.pop3)) server.pop3 = this.pop3(item.pop3, `${at}.pop3`);
    if (protocol === 'smtp' && isObject(item.smtp)) server.smtp = this.smtp(item.smtp, `${at}.smtp`);
    const sasl = this.strings(item, 'sasl', at);
    if (sasl.length > 0) server.sasl = sasl;
    return [server];
  }

  /** A URL service; method names pass through as text for the parser to judge, as for servers. */
  service(item: unknown, at: string, source: Provenance): UrlService[] {
    if (!isObject(item)) return (this.fail(at, 'must be an object'), []);
    const protocol = this.string(item, 'protocol', at, true);
    if (protocol !== undefined && !(URL_PROTOCOLS as readonly string[]).includes(protocol)) this.fail(`${at}.protocol`, `must be one of ${URL_PROTOCOLS.map((p) => `"${p}"`).join(', ')}`);
    const url = this.string(item, 'url', at, true);
    const auth = typeof item.auth === 'string' ? [item.auth] : this.strings(item, 'auth', at);
    const username = this.string(item, 'username', at) ?? '%EMAILADDRESS%';
    if (url === undefined || !(URL_PROTOCOLS as readonly string[]).includes(protocol ?? '')) return [];
    return [{ protocol: protocol as UrlProtocol, url, auth: (auth.length > 0 ? auth : ['Basic']) as UrlAuthMethod[], username, source }];
  }

  logo(item: unknown, at: string): Logo[] {
    if (!isObject(item)) return (this.fail(at, 'must be an object'), []);
    const url = this.string(item, 'url', at, true);
    const contentType = this.string(item, 'contentType', at, true);
    const width = this.count(item, 'width', at);
    const height = this.count(item, 'height', at);
    if (url === undefined || contentType === undefined) return [];
    return [withoutUndefined({ url, contentType, width, height })];
  }

  private port(value: unknown, at: string): number | undefined {
    const port = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return this.fail(at, 'must be a port number from 1 to 65535');
    return port;
  }

  private pop3(obj: Json, at: string): Pop3Options {
    return withoutUndefined({
      leaveMessagesOnServer: this.boolean(obj, 'leaveMessagesOnServer', at),
      downloadOnBiff: this.boolean(obj, 'downloadOnBiff', at),
      daysToLeaveMessagesOnServer: this.count(obj, 'daysToLeaveMessagesOnServer', at),
      checkIntervalMinutes: this.count(obj, 'checkIntervalMinutes', at),
    });
  }

  private smtp(obj: Json, at: string): SmtpOptions {
    return withoutUndefined({
      addThisServer: this.boolean(obj, 'addThisServer', at),
      useGlobalPreferredServer: this.boolean(obj, 'useGlobalPreferredServer', at),
      restriction: this.string(obj, 'restriction', at),
    });
  }

  private texts(obj: Json, name: string, at: string): LocalizedText[] {
    return this.array(obj, name, at).flatMap((item, i) => {
      const path = `${at}.${name}[${i}]`;
      if (!isObject(item)) return (this.fail(path, 'must be an object with "text"'), []);
      const text = this.string(item, 'text', path, true);
      const lang = this.string(item, 'lang', path);
      if (text === undefined) return [];
      return [lang ? { lang, text } : { text }];
    });
  }

  documentation(item: unknown, at: string): Documentation[] {
    if (!isObject(item)) return (this.fail(at, 'must be an object'), []);
    const url = this.string(item, 'url', at, true);
    const descriptions = this.texts(item, 'descriptions', at);
    return url === undefined ? [] : [{ url, descriptions }];
  }

  enable(item: unknown, at: string): EnableInstructions[] {
    if (!isObject(item)) return (this.fail(at, 'must be an object'), []);
    const visitUrl = this.string(item, 'visitUrl', at, true);
    const instructions = this.texts(item, 'instructions', at);
    return visitUrl === undefined ? [] : [{ visitUrl, instructions }];
  }

  oauth2(value: unknown, at: string): MailConfig['oauth2'] {
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) return this.fail(at, 'must be an object');
    if (value.clientSecret !== undefined) this.fail(`${at}.clientSecret`, 'must not be given: a public client has no secret (give only clientId)');
    const get = (name: string) => this.string(value, name, at, true) ?? '';
    const oauth: NonNullable<MailConfig['oauth2']> = { issuer: get('issuer'), scope: get('scope'), authURL: get('authURL'), tokenURL: get('tokenURL') };
    const clientId = this.string(value, 'clientId', at);
    if (clientId !== undefined) oauth.clientId = clientId;
    return oauth;
  }
}
