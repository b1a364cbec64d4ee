// What the format benchmark asks: one request per client format, for a bundled provider, with the goal the issue
// sets for its ratio to a bare fastify route serving the same bytes (issues 12 and 15).
export interface FormatRequest {
  name: string;
  goal: number;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
}

export const POX_BODY = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>alice@posteo.de</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
</Autodiscover>`;

export const THUNDERBIRD_PATH = '/mail/config-v1.1.xml?emailaddress=alice%40posteo.de';

export const FORMATS: FormatRequest[] = [
  { name: 'Thunderbird autoconfig', goal: 0.85, method: 'GET', path: THUNDERBIRD_PATH },
  { name: 'Outlook POX', goal: 0.85, method: 'POST', path: '/autodiscover/autodiscover.xml', body: POX_BODY, contentType: 'text/xml' },
  { name: 'Apple mobileconfig', goal: 0.85, method: 'GET', path: '/mobileconfig?emailaddress=alice%40posteo.de' },
  { name: 'JSON API', goal: 0.85, method: 'GET', path: '/api/v1/settings?email=alice%40posteo.de' },
  // ?domain= stands for the Host ua-auto-config.posteo.de (autocannon sends one Host for every request).
  { name: 'PACC', goal: 0.9, method: 'GET', path: '/.well-known/user-agent-configuration.json?domain=posteo.de' },
  // The setup page for a person: rendered once per provider and language, the address filled in per request.
  { name: 'Setup page (HTML)', goal: 0.3, method: 'GET', path: '/setup?email=alice%40posteo.de&lang=en' },
];
