import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MOBILECONFIG_CONTENT_TYPE, ProfileError, profileFilename, renderMobileconfig } from '../formats/mobileconfig.js';
import { addressFromQuery, queryParam } from './address.js';
import { sendPlainBadRequest, sendPlainText } from './plain.js';
import type { ServiceDeps } from './deps.js';
import { lookUp } from './discovery-limit.js';

const ADDRESS_PARAMS = ['emailaddress', 'email'];

/** Apple configuration profiles: `/mobileconfig?emailaddress=` and `/email.mobileconfig?email=`. */
export function registerAppleRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  const signer = deps.signer;
  if (signer) app.log.info({ subject: signer.subject }, 'Apple profiles are signed');
  for (const warning of signer?.warnings ?? []) app.log.warn(warning);

  const profile = async (request: FastifyRequest, reply: FastifyReply) => {
    const param = addressFromQuery(request, ADDRESS_PARAMS);
    if (!param.ok) return badRequest(request, reply, param.reason);
    const address = param.address;
    if (!address) return badRequest(request, reply, 'add ?emailaddress=you@example.org to the URL');
    const { config } = await lookUp(deps, request, address.domain, address);
    if (!config) return sendPlainText(reply, 404, `No mail settings known for ${address.domain}`);
    let xml: string;
    try {
      // `lang` (set by the setup page): the texts on the device's install screen in the page's language.
      xml = renderMobileconfig(config, address, queryParam(request, ['lang'])?.toLowerCase() === 'de' ? 'de' : 'en');
    } catch (error) {
      if (error instanceof ProfileError) return sendPlainText(reply, 404, `No profile possible for ${address.domain}: ${error.message}`);
      throw error;
    }
    return reply
      .type(MOBILECONFIG_CONTENT_TYPE)
      .header('content-disposition', `attachment; filename="${profileFilename(address)}"`)
      // Personal (it names the address): not for shared caches.
      .header('cache-control', 'private, no-store')
      // A string is written with the headers in one go; only the signed profile is binary.
      .send(signer ? await signer.sign(Buffer.from(xml, 'utf8')) : xml);
  };
  app.get('/mobileconfig', profile);
  app.get('/email.mobileconfig', profile);
}

function badRequest(request: FastifyRequest, reply: FastifyReply, reason: string) {
  return sendPlainBadRequest(request, reply, reason, 'bad profile request');
}
