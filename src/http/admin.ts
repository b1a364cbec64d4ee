import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminConfig, AdminToken } from '../config.js';
import { paccDigestChanges } from './pacc.js';
import { isProviderKey } from '../providers/checks.js';
import type { ProviderEntry } from '../providers/database.js';
import { diffProviders, summarizeChanges, type ChangeSummary } from '../providers/diff.js';
import { providerXmlFromJson } from '../providers/json.js';
import type { Problem } from '../providers/parse.js';
import { isProviderAdminStore, type Expectation, type WriteOptions } from '../providers/store.js';
import { MailconfigError } from '../settings/errors.js';
import { quoteInput } from '../settings/quote.js';
import type { ServiceDeps } from './deps.js';
import type { AbuseMetrics } from './abuse-metrics.js';
import { AdminAuthGuard } from './admin-guard.js';

/** Provider files are parsed with a 256 KiB limit; the body may be that large (the app default is 16 KiB). */
const MAX_BODY = 256 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

type Auth = { ok: true; name: string } | { ok: false; status: 401 | 403; reason: string };

/**
 * Bearer-token check in constant time: every configured token is compared (as SHA-256 digests, so lengths are
 * equal and nothing leaks through an early exit) whatever the outcome.
 */
export function tokenChecker(tokens: AdminToken[]): (authorization: string | undefined) => Auth {
  const known = tokens.map((t) => ({ name: t.name, digest: sha256(t.token) }));
  return (authorization) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, status: 401, reason: 'send the admin token as "Authorization: Bearer <token>"' };
    const presented = sha256(match[1]!);
    let name: string | undefined;
    for (const candidate of known) if (timingSafeEqual(candidate.digest, presented) && name === undefined) name = candidate.name;
    return name === undefined ? { ok: false, status: 403, reason: 'this token is not an admin token' } : { ok: true, name };
  };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Admin API for the provider database; only registered when admin tokens are configured. */
export function registerAdminRoutes(app: FastifyInstance, deps: ServiceDeps, admin: AdminConfig, metrics?: AbuseMetrics, guard = new AdminAuthGuard()): void {
  const store = deps.providers;
  if (!isProviderAdminStore(store)) throw new MailconfigError('MAILCONFIG_ADMIN_STORE_READ_ONLY', 'admin tokens are configured but the provider store cannot be changed (use LiveProviderStore)');
  const authenticate = tokenChecker(admin.tokens);
  const who = new WeakMap<FastifyRequest, string>();

  // Own scope: its body parsing (XML, JSON, up to 256 KiB) and auth hook leave the public routes untouched.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY }, (_request, body, done) => done(null, body));

    // The failure limiter runs first: a blocked address gets 429 before any token is compared.
    scope.addHook('onRequest', async (request, reply) => {
      const blocked = guard.check(request.ip);
      if (!blocked.ok) {
        metrics?.rateLimited('admin-auth');
        return reply
          .code(429)
          .header('retry-after', String(blocked.retryAfterSeconds))
          .type(JSON_TYPE)
          .send({ error: `too many failed admin authentications from this address; retry in ${blocked.retryAfterSeconds} s` });
      }
      const auth = authenticate(request.headers.authorization);
      if (auth.ok) {
        guard.succeeded(request.ip);
        who.set(request, auth.name);
        return;
      }
      metrics?.adminAuthFailure();
      const counted = guard.failed(request.ip);
      // The client's address is logged (it is what an operator blocks); the token never is.
      request.log.warn({ status: auth.status, client: request.ip, failures: counted.failures, blockedForSeconds: counted.blockedForSeconds }, `admin API refused: ${auth.reason}`);
      if (auth.status === 401) void reply.header('www-authenticate', 'Bearer realm="mailconfig-admin"');
      return reply.code(auth.status).type(JSON_TYPE).send({ error: auth.reason });
    });

    scope.get('/admin/providers', async (_request, reply) => {
      const providers = store.list().map((p) => ({ ...p, problems: p.problems.map(brief) }));
      return reply.header('cache-control', 'no-store').type(JSON_TYPE).send({ count: providers.length, providers });
    });

    scope.get<{ Params: { id: string } }>('/admin/providers/:id', async (request, reply) => {
      const key = providerKeyParam(request.params.id);
      if (!key.ok) return reply.code(400).type(JSON_TYPE).send({ error: key.reason });
      const found = await store.read(key.key);
      if (!found) return reply.code(404).type(JSON_TYPE).send({ error: `no provider file ${key.key}.xml` });
      void reply.header('etag', found.etag).header('cache-control', 'no-store');
      if (!wantsJson(request)) return reply.type('application/xml; charset=utf-8').send(found.text);
      const { entry, problems } = store.check(key.key, found.text);
      const serving = store.current().get(key.key)?.etag === found.etag;
      return reply.type(JSON_TYPE).send({ key: key.key, file: `${key.key}.xml`, etag: found.etag, serving, config: entry?.config, problems: problems.map(brief) });
    });

    scope.put<{ Params: { id: string }; Body: unknown }>('/admin/providers/:id', async (request, reply) => {
      const key = providerKeyParam(request.params.id);
      if (!key.ok) return reply.code(400).type(JSON_TYPE).send({ error: key.reason });
      const body = providerText(request, key.key);
      if (!body.ok) return reply.code(body.status).type(JSON_TYPE).send(body.payload);
      const result = await store.write(key.key, body.text, preconditions(request));
      if (result.status === 'precondition-failed') return preconditionFailed(reply, result.etag);
      if (result.status === 'invalid') {
        const payload: Record<string, unknown> = { errors: result.problems.filter((p) => p.severity === 'error').map(brief), warnings: result.problems.filter((p) => p.severity === 'warning').map(brief) };
        // JSON was rendered to XML before validation: the lines refer to this text.
        if (body.fromJson) payload.xml = body.text;
        return reply.code(422).type(JSON_TYPE).send(payload);
      }
      const changes = changeSummary(result.previous, result.entry);
      const action = result.created ? 'created' : 'updated';
      logChange(request, who.get(request), action, result.entry.file, changes, { before: result.previous?.etag, after: result.entry.etag });
      return reply
        .code(result.created ? 201 : 200)
        .header('etag', result.entry.etag)
        .type(JSON_TYPE)
        .send({ key: key.key, file: result.entry.file, etag: result.entry.etag, created: result.created, warnings: result.warnings.map(brief), changes, ...paccDigestChanges(result.previous?.config, result.entry.config) });
    });

    scope.delete<{ Params: { id: string } }>('/admin/providers/:id', async (request, reply) => {
      const key = providerKeyParam(request.params.id);
      if (!key.ok) return reply.code(400).type(JSON_TYPE).send({ error: key.reason });
      const result = await store.remove(key.key, preconditions(request));
      if (result.status === 'missing') return reply.code(404).type(JSON_TYPE).send({ error: `no provider file ${key.key}.xml` });
      if (result.status === 'precondition-failed') return preconditionFailed(reply, result.etag);
      const changes = changeSummary(result.previous, undefined);
      logChange(request, who.get(request), 'deleted', `${key.key}.xml`, changes, { before: result.previous?.etag });
      return reply.type(JSON_TYPE).send({ key: key.key, file: `${key.key}.xml`, deleted: true, changes });
    });
  });
}

type KeyParam = { ok: true; key: string } | { ok: false; reason: string };

/** The id is the file name without `.xml` (a trailing `.xml` is tolerated); nothing that could leave the directory. */
function providerKeyParam(id: string): KeyParam {
  const key = id.replace(/\.xml$/, '');
  if (isProviderKey(key)) return { ok: true, key };
  return { ok: false, reason: `${quoteInput(id, 'the id', 100)} is not a provider id: use the file name without .xml (lower-case letters, digits, ".", "_", "-"; starting with a letter or digit)` };
}

type BodyText = { ok: true; text: string; fromJson: boolean } | { ok: false; status: 400 | 415 | 422; payload: Record<string, unknown> };

/** The provider as XML text: sent as XML, or sent as the MailConfig JSON and rendered to the same XML the importer writes. */
function providerText(request: FastifyRequest, key: string): BodyText {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const body = typeof request.body === 'string' ? request.body : '';
  if (body.trim() === '') return { ok: false, status: 400, payload: { error: 'the request has no body: send the provider file' } };
  if (type === 'application/xml' || type === 'text/xml') return { ok: true, text: body, fromJson: false };
  if (type !== 'application/json') return { ok: false, status: 415, payload: { error: 'send the provider as application/xml (or text/xml), or as application/json in the MailConfig shape' } };
  const json = providerXmlFromJson(body, key);
  if (json.ok) return { ok: true, text: json.xml, fromJson: true };
  // JSON.parse's message quotes the body: only its position is passed on.
  if (json.kind === 'syntax') return { ok: false, status: 400, payload: { error: `the body is not JSON${jsonPosition(json.message)}` } };
  return { ok: false, status: 422, payload: { errors: json.problems.map((p) => ({ line: null, path: p.path, message: p.message })), warnings: [] } };
}

function jsonPosition(message: string): string {
  const at = /position (\d+)/.exec(message)?.[1];
  return at === undefined ? '' : ` (error at character ${at})`;
}

/**
 * If-Match and If-None-Match (RFC 9110 13.1.1, 13.1.2) as the store's expectation: `*`, or a list of entity tags.
 * If-Match compares strongly (a weak tag never matches); If-None-Match weakly (W/"x" matches "x"). Both headers:
 * both must hold. A header repeated counts as one list.
 */
function preconditions(request: FastifyRequest): WriteOptions {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const parts: Expectation[] = [];
  const ifMatch = header('if-match');
  if (ifMatch !== undefined) parts.push(ifMatch.trim() === '*' ? 'present' : { etags: entityTags(ifMatch).filter((t) => !t.weak).map((t) => t.tag) });
  const ifNoneMatch = header('if-none-match');
  if (ifNoneMatch !== undefined) parts.push(ifNoneMatch.trim() === '*' ? 'absent' : { notEtags: entityTags(ifNoneMatch).map((t) => t.tag) });
  return { expect: parts.length === 0 ? 'any' : parts.length === 1 ? parts[0]! : { allOf: parts } };
}

/** The entity tags of a list like `"a", W/"b"`; anything that is not a tag is ignored (it can match nothing). */
function entityTags(header: string): { tag: string; weak: boolean }[] {
  return [...header.matchAll(/(W\/)?("[^"]*")/g)].map((m) => ({ tag: m[2]!, weak: m[1] !== undefined }));
}

function preconditionFailed(reply: FastifyReply, etag: string | undefined) {
  if (etag) void reply.header('etag', etag);
  const error = etag ? 'the provider file has changed since you read it: GET it again and reapply your change' : 'the precondition does not hold (the file does not exist, or exists and If-None-Match: * was sent)';
  return reply.code(412).type(JSON_TYPE).send({ error, etag: etag ?? null });
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /application\/json/i.test(accept) && !/xml/i.test(accept);
}

function brief(problem: Problem): { line: number; message: string } {
  return { line: problem.line, message: problem.message };
}

function changeSummary(before: ProviderEntry | undefined, after: ProviderEntry | undefined): ChangeSummary {
  return summarizeChanges(diffProviders(before ? [before] : [], after ? [after] : []));
}

/** Every change is logged with who made it (the token's name) and what changed for clients. */
function logChange(request: FastifyRequest, admin: string | undefined, action: string, file: string, changes: ChangeSummary, etag: { before?: string | undefined; after?: string }): void {
  const parts = [
    changes.added.length > 0 ? `added ${changes.added.join(', ')}` : '',
    changes.removed.length > 0 ? `removed ${changes.removed.join(', ')}` : '',
    changes.details.length > 0 ? `changed ${changes.details.join('; ')}` : '',
  ].filter(Boolean);
  request.log.info({ admin, action, file, changes, etag }, `admin ${admin ?? '?'} ${action} provider ${file}${parts.length > 0 ? `: ${parts.join('; ')}` : ' (no change for clients)'}`);
}
