// E-mail addresses are personal data (GDPR): no log line may contain one. Two layers:
// - the access log writes request paths with every address replaced by its domain (`redactUrl`), optionally with a
//   keyed hash of the local part so one person's requests can be told apart without naming them;
// - every line the app's logger writes passes `scrubAddresses` (installed by `privateLoggerOptions`), a safety net
//   for messages and error texts that quote input (a parser's message, an exception from a library).
import { createHmac } from 'node:crypto';

/** The first 12 hex digits (48 bits) of HMAC-SHA256(key, local part): enough to group, too short to be an identifier elsewhere. */
export function localPartHash(key: string, localPart: string): string {
  return createHmac('sha256', key).update(localPart.normalize('NFC').toLowerCase(), 'utf8').digest('hex').slice(0, 12);
}

/** What an address becomes in a log line: `@domain`, or `<hash>@domain` with a key. */
function redactedAddress(address: string, key: string | undefined): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1).toLowerCase();
  return key ? `${localPartHash(key, address.slice(0, at))}@${domain}` : `@${domain}`;
}

/**
 * A request URL (path and query) for the log: each path segment and query value that holds an address (`@`, also
 * percent-encoded) is replaced by `@domain` (or `hash@domain` with a key); everything else stays as sent. Bounded
 * to 2,000 characters.
 */
export function redactUrl(url: string, key?: string): string {
  // Most URLs hold no address at all: as sent, without splitting.
  if (!mayHoldAddress(url)) return bound(url);
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const redactedPath = mayHoldAddress(path)
    ? path
        .split('/')
        .map((segment) => redactPart(segment, key))
        .join('/')
    : path;
  if (queryAt < 0) return bound(redactedPath);
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      if (!mayHoldAddress(pair)) return pair;
      const eq = pair.indexOf('=');
      if (eq < 0) return redactPart(pair, key);
      return `${redactPart(pair.slice(0, eq), key)}=${redactPart(pair.slice(eq + 1), key)}`;
    })
    .join('&');
  return bound(`${redactedPath}?${query}`);
}

/** An `@`, plain or percent-encoded (any case): the only way an address can be in a text. */
const AT_SIGN = /@|%40/i;

function mayHoldAddress(text: string): boolean {
  return text.includes('@') || (text.includes('%') && AT_SIGN.test(text));
}

function bound(text: string): string {
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** One URL part: unchanged unless, decoded, it contains an @. */
function redactPart(part: string, key: string | undefined): string {
  if (!mayHoldAddress(part)) return part;
  const decoded = decodeLoosely(part);
  const at = decoded.lastIndexOf('@');
  if (at < 0) return part;
  // The domain keeps URL-safe characters only: the line stays one token, whatever was sent.
  return encodeURIComponent(redactedAddress(decoded, key)).replace(/%40/g, '@');
}

/** Percent-decoding that never throws: a part with a broken escape is decoded escape by escape. */
function decodeLoosely(part: string): string {
  const text = part.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/**
 * Anything in free text that looks like an address (`local@domain.tld`, also `local%40domain.tld`): the local part
 * is dropped (or hashed with a key). Local parts here are the characters people use (letters, digits, `.!#$%*+^_{|}~'-`
 * and backquote); `=`, `&`, `?` and `/` end them so a URL's `?email=x@y` keeps its parameter name.
 */
const ADDRESS_IN_TEXT = /[\p{L}\p{N}.!#$%*+^_`{|}~'"-]+(?:@|%40)([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)/giu;

export function scrubAddresses(text: string, key?: string): string {
  if (!mayHoldAddress(text)) return text;
  return text.replace(ADDRESS_IN_TEXT, (match, domain: string) => {
    const local = match.slice(0, match.length - domain.length).replace(/(?:@|%40)$/i, '');
    return key ? `${localPartHash(key, local)}@${domain.toLowerCase()}` : `@${domain.toLowerCase()}`;
  });
}

/**
 * `value` with every string scrubbed (errors keep their class, so the logger's error serializer still applies). A
 * copy is made only where something changes: a log line's fields are mostly numbers and address-free strings.
 */
export function scrubValue(value: unknown, key?: string, depth = 0): unknown {
  if (typeof value === 'string') return scrubAddresses(value, key);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const scrubbed = scrubValue(v, key, depth + 1);
      if (scrubbed !== v && !copy) copy = value.slice(0, i);
      copy?.push(scrubbed);
    }
    return copy ?? value;
  }
  if (value instanceof Error) {
    const record = value as unknown as Record<string, unknown>;
    const names = Object.getOwnPropertyNames(value);
    const scrubbed = names.map((name) => scrubValue(record[name], key, depth + 1));
    if (scrubbed.every((v, i) => v === record[names[i]!])) return value;
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
    for (const [i, name] of names.entries()) copy[name] = scrubbed[i];
    return copy;
  }
  if (Buffer.isBuffer(value) || !isPlainObject(value)) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const name in record) {
    if (!Object.prototype.hasOwnProperty.call(record, name)) continue;
    const v = record[name];
    const scrubbed = scrubValue(v, key, depth + 1);
    if (scrubbed !== v && !copy) {
      // The fields before this one are unchanged: copied as they are, in their order.
      copy = {};
      for (const earlier in record) {
        if (earlier === name) break;
        if (Object.prototype.hasOwnProperty.call(record, earlier)) copy[earlier] = record[earlier];
      }
    }
    if (copy) copy[name] = scrubbed;
  }
  return copy ?? value;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Logger options (pino's, as fastify takes them) with the address scrubber installed on every log call, the app's
 * and every request's child logger alike. Anything that is not an options object (false, a logger instance) is
 * returned as it is.
 */
export function privateLoggerOptions<T>(logger: T, key?: string): T {
  if (logger === null || typeof logger !== 'object') return logger;
  const options = logger as Record<string, unknown>;
  // A pino instance (has .info and .child): its hooks cannot be changed from here.
  if (typeof options.info === 'function' && typeof options.child === 'function') return logger;
  const previous = (options.hooks as { logMethod?: LogMethodHook } | undefined)?.logMethod;
  const logMethod: LogMethodHook = function (this: unknown, args, method, level) {
    // Usually (an object and a message) nothing to scrub: the arguments go on as they came.
    let scrubbed = args;
    for (let i = 0; i < args.length; i++) {
      const value = scrubValue(args[i], key);
      if (value === args[i]) continue;
      if (scrubbed === args) scrubbed = [...args];
      scrubbed[i] = value;
    }
    if (previous) return previous.call(this, scrubbed, method, level);
    return method.apply(this, scrubbed);
  };
  return { ...options, hooks: { ...(options.hooks as object | undefined), logMethod } } as T;
}

type LogMethodHook = (this: unknown, args: unknown[], method: (...args: unknown[]) => void, level: number) => void;
