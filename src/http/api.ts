import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { explainSteps, settingsDocument } from '../formats/settings-json.js';
import type { LookupStep } from '../settings/resolver.js';
import { addressFromQuery, queryParam } from './address.js';
import { publicBaseUrl } from './public-url.js';
import { registerDnsApi } from './dns.js';
import { registerCheckApi } from './check.js';
import { openApiDocument } from './openapi.js';
import type { ServiceDeps } from './deps.js';
import { lookUp } from './discovery-limit.js';
import type { AddressErrorCode } from '../settings/address.js';

const ADDRESS_PARAMS = ['email', 'emailaddress'];

type ErrorCode = 'missing_address' | 'invalid_address' | 'unknown_domain';

/** The JSON API for help pages and integrators, under /api/v1 with CORS (and only there). */
export function registerApiRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  void app.register(
    async (api) => {
      // Any page may read public settings; nothing here uses cookies or credentials.
      // strictPreflight off: a plain OPTIONS (no preflight headers) gets the 204 too, not the plugin's text 400.
      await api.register(cors, { origin: '*', methods: ['GET', 'HEAD'], maxAge: 86400, strictPreflight: false });

      api.get('/settings', async (request, reply) => {
        const explain = /^(1|true|yes)$/i.test(queryParam(request, ['explain']) ?? '');
        const param = addressFromQuery(request, ADDRESS_PARAMS);
        if (!param.ok) return error(reply, 400, 'invalid_address', param.reason, { code: param.code });
        const address = param.address;
        if (!address) return error(reply, 400, 'missing_address', 'add ?email=you@example.org to the URL');
        const { config, steps } = await lookUp(deps, request, address.domain, address);
        if (!config) return error(reply, 404, 'unknown_domain', `no mail settings known for ${address.domainUnicode}`, explain ? { steps } : {});
        return reply.type('application/json; charset=utf-8').send(settingsDocument(config, address, explain ? steps : undefined));
      });

      registerDnsApi(api, deps);
      registerCheckApi(api, deps);

      api.get('/openapi.json', async (request, reply) => {
        return reply.type('application/json; charset=utf-8').send(openApiDocument(publicBaseUrl(request, deps) ?? '/'));
      });
    },
    { prefix: '/api/v1' },
  );
}

function error(reply: FastifyReply, status: 400 | 404, error: ErrorCode, message: string, extra: { code?: AddressErrorCode; steps?: LookupStep[] } = {}) {
  reply.request.log.info({ reason: message, code: extra.code }, 'settings API error');
  const body = { error, message, ...(extra.code ? { code: extra.code } : {}), ...(extra.steps ? { steps: explainSteps(extra.steps) } : {}) };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
