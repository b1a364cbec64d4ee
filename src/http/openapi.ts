// The JSON API's OpenAPI 3.1 description, written by hand next to the code it documents
// (src/formats/settings-json.ts builds the answers; test/http/api.test.ts checks real answers against this).
import { ADDRESS_ERROR_CODES } from '../settings/address.js';
import { PROTOCOLS } from '../settings/model.js';
import { SECURITIES } from '../settings/security.js';
import { STEP_FAILURES, STEP_KINDS, STEP_OUTCOMES } from '../settings/steps.js';
import { CHECK_IDS, CHECK_STATUSES } from '../check/types.js';

const provenance = {
  type: 'object',
  description: 'Where a value came from.',
  required: ['kind', 'detail', 'confidence'],
  properties: {
    kind: { type: 'string', enum: ['database', 'autoconfig', 'mx', 'srv', 'probe'], description: 'The source, most trusted first.' },
    detail: { type: 'string', description: 'A provider file, a URL, a DNS record or a probed host:port.' },
    confidence: { type: 'string', enum: ['high', 'medium', 'low'] },
    evidence: { type: 'object', description: 'Records, probe outcomes and certificate facts behind the value.', additionalProperties: true },
  },
} as const;

const localizedText = {
  type: 'object',
  required: ['text'],
  properties: { lang: { type: 'string' }, text: { type: 'string' } },
} as const;

const schemas = {
  Settings: {
    type: 'object',
    required: ['address', 'provider', 'servers', 'services'],
    properties: {
      address: { $ref: '#/components/schemas/Address' },
      provider: { $ref: '#/components/schemas/Provider' },
      servers: {
        type: 'array',
        description: 'Every known server in preference order: IMAP, POP3, SMTP; then the most trusted source; then implicit TLS, STARTTLS, plain.',
        items: { $ref: '#/components/schemas/Server' },
      },
      services: {
        type: 'array',
        description: "JMAP, CalDAV, CardDAV and WebDAV (Autoconfig 1.2 URL sections), in the provider's order; empty when it has none.",
        items: { $ref: '#/components/schemas/Service' },
      },
      steps: { type: 'array', description: 'Only with explain=1: each lookup step and its outcome.', items: { $ref: '#/components/schemas/Step' } },
    },
  },
  Address: {
    type: 'object',
    required: ['email', 'emailUnicode', 'localPart', 'domain', 'domainUnicode'],
    properties: {
      email: { type: 'string', description: 'The address with the ASCII (punycode) domain.', examples: ['alice@xn--bcher-kva.example'] },
      emailUnicode: { type: 'string', description: 'The address with the Unicode domain, for display.', examples: ['alice@bücher.example'] },
      localPart: { type: 'string' },
      domain: { type: 'string', description: 'ASCII, lower case.' },
      domainUnicode: { type: 'string' },
    },
  },
  Provider: {
    type: 'object',
    required: ['id', 'displayName', 'documentation', 'enable', 'passwordsAllowed', 'source'],
    properties: {
      id: { type: 'string' },
      displayName: { type: 'string' },
      displayShortName: { type: 'string' },
      documentation: {
        type: 'array',
        items: { type: 'object', required: ['url', 'descriptions'], properties: { url: { type: 'string', format: 'uri' }, descriptions: { type: 'array', items: localizedText } } },
      },
      enable: {
        type: 'array',
        description: 'Steps the user must take first (e.g. enable IMAP in the web settings).',
        items: { type: 'object', required: ['visitUrl', 'instructions'], properties: { visitUrl: { type: 'string', format: 'uri' }, instructions: { type: 'array', items: localizedText } } },
      },
      webmailUrl: { type: 'string', format: 'uri' },
      oauth2: {
        type: 'object',
        description: 'Where the OAuth2 authorization server is. Never a client secret.',
        required: ['issuer', 'scope', 'authURL', 'tokenURL'],
        properties: {
          issuer: { type: 'string', description: 'RFC 8414 issuer (public ISPDB data carries a bare host name here).' },
          scope: { type: 'string', description: 'Space-separated scopes.' },
          authURL: { type: 'string' },
          tokenURL: { type: 'string' },
          clientId: { type: 'string', description: 'A public client id (Autoconfig 1.2 clientID), for clients that do not register dynamically.' },
        },
      },
      passwordsAllowed: { type: 'boolean', description: 'False when OAuth2 is the only way in (PACC authentication.password).' },
      helpUrl: { type: 'string', format: 'uri', description: 'The user help page (PACC info.help.documentation).' },
      developerUrl: { type: 'string', format: 'uri', description: 'Integration documentation (PACC info.help.developer).' },
      contacts: { type: 'array', items: { type: 'string', format: 'uri' }, description: 'URIs for operators, e.g. mailto: (PACC info.help.contact).' },
      logos: { type: 'array', items: { $ref: '#/components/schemas/Logo' } },
      source: provenance,
    },
  },
  Server: {
    type: 'object',
    required: ['protocol', 'host', 'port', 'security', 'auth', 'username', 'source', 'warnings'],
    properties: {
      protocol: { type: 'string', enum: [...PROTOCOLS] },
      host: { type: 'string' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      security: { type: 'string', enum: [...SECURITIES], description: 'tls = implicit TLS (993, 995, 465); starttls = upgrade on the plain port.' },
      auth: {
        type: 'array',
        description: "Authentication methods in the source's order of preference (Thunderbird's names).",
        items: { type: 'string', enum: ['password-cleartext', 'password-encrypted', 'NTLM', 'GSSAPI', 'OAuth2', 'TLS-client-cert', 'client-IP-address', 'smtp-after-pop', 'none'] },
      },
      username: { type: 'string', description: 'The user name for this address (placeholders filled in).' },
      sasl: { type: 'array', items: { type: 'string' }, description: 'SASL mechanisms (Autoconfig 1.2 system="sasl") to try before the methods in auth.' },
      source: provenance,
      warnings: { type: 'array', items: { type: 'string' }, description: 'Things a person should confirm before using this server.' },
      pop3: {
        type: 'object',
        properties: {
          leaveMessagesOnServer: { type: 'boolean' },
          downloadOnBiff: { type: 'boolean' },
          daysToLeaveMessagesOnServer: { type: 'integer' },
          checkIntervalMinutes: { type: 'integer' },
        },
      },
      smtp: {
        type: 'object',
        properties: { addThisServer: { type: 'boolean' }, useGlobalPreferredServer: { type: 'boolean' }, restriction: { type: 'string' } },
      },
    },
  },
  Service: {
    type: 'object',
    required: ['protocol', 'url', 'auth', 'username', 'source', 'warnings'],
    properties: {
      protocol: { type: 'string', enum: ['jmap', 'caldav', 'carddav', 'webdav'] },
      url: { type: 'string', format: 'uri', description: 'https: the JMAP session resource, the CalDAV/CardDAV context path, the WebDAV share.' },
      auth: { type: 'array', items: { type: 'string', enum: ['OAuth2', 'Basic', 'Digest'] }, description: 'OAuth2, or an HTTP authentication scheme; most preferred first.' },
      username: { type: 'string' },
      source: provenance,
      warnings: { type: 'array', items: { type: 'string' } },
    },
  },
  Logo: {
    type: 'object',
    required: ['url', 'contentType'],
    properties: { url: { type: 'string', format: 'uri' }, contentType: { type: 'string', examples: ['image/svg+xml'] }, width: { type: 'integer' }, height: { type: 'integer' } },
  },
  DnsRecords: {
    type: 'object',
    required: ['domain', 'provider', 'records', 'notes', 'zone'],
    properties: {
      domain: { type: 'string' },
      provider: { type: 'string', description: 'The provider id that answers for the domain.' },
      records: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'ttl', 'type', 'value', 'purpose'],
          properties: {
            name: { type: 'string', description: 'Absolute owner name with the trailing dot.' },
            ttl: { type: 'integer' },
            type: { type: 'string', enum: ['CNAME', 'SRV', 'TXT'] },
            value: { type: 'string', description: 'RDATA as in a zone file (TXT quoted); SRV "0 0 0 ." means not offered.' },
            purpose: { type: 'string' },
          },
        },
      },
      notes: { type: 'array', items: { type: 'string' }, description: 'What was left out and why; always how to roll the PACC digest over when the settings change.' },
      zone: { type: 'array', items: { type: 'string' }, description: 'The same as zone-file lines (what `mailconfig dns` prints).' },
      paccDigest: { type: 'string', description: 'base64 SHA-256 of the PACC document (the d= of the _ua-auto-config TXT).' },
    },
  },
  CheckReport: {
    type: 'object',
    required: ['domain', 'checks', 'records'],
    properties: {
      domain: { type: 'string', description: 'The domain checked (ASCII).' },
      checks: {
        type: 'array',
        description: 'One entry per check, in this order; checks that do not apply are info.',
        items: {
          type: 'object',
          required: ['id', 'status', 'message', 'fix'],
          properties: {
            id: { type: 'string', enum: [...CHECK_IDS] },
            status: { type: 'string', enum: [...CHECK_STATUSES] },
            message: { type: 'string', description: 'One sentence: why this status.' },
            fix: { type: 'string', description: 'What to do; empty when nothing is to be done.' },
          },
        },
      },
      records: { type: 'string', description: 'Zone-file lines (BIND syntax) of every record to publish, each after a comment: ok (published), add (missing) or change (published differently); the PACC digest computed.' },
    },
  },
  CheckError: {
    type: 'object',
    required: ['error', 'message'],
    properties: { error: { type: 'string', enum: ['missing_domain', 'invalid_domain', 'check_failed'] }, message: { type: 'string' } },
  },
  DnsError: {
    type: 'object',
    required: ['error', 'message'],
    properties: { error: { type: 'string', enum: ['missing_domain', 'invalid_domain', 'unknown_domain'] }, message: { type: 'string' } },
  },
  Step: {
    type: 'object',
    required: ['kind', 'subject', 'outcome', 'detail', 'ms', 'text'],
    properties: {
      kind: { type: 'string', enum: [...STEP_KINDS], description: 'Which step: the provider database, the cache, an autoconfig URL, MX, SRV, a host name, a probe.' },
      subject: { type: 'string', description: 'What the step looked at: a domain, a host name, host:port, or a URL without its query. Never an e-mail address.' },
      outcome: { type: 'string', enum: [...STEP_OUTCOMES] },
      failure: { type: 'string', enum: [...STEP_FAILURES], description: 'Failed or skipped steps: why, as a stable word ("internal" is a fault of this service).' },
      server: {
        type: 'object',
        description: 'Probe steps: the server tried (standard port).',
        required: ['host', 'port', 'protocol', 'security'],
        properties: { host: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string', enum: [...PROTOCOLS] }, security: { type: 'string', enum: [...SECURITIES] } },
      },
      detail: { type: 'string', description: 'What happened, in words.' },
      ms: { type: 'number', description: 'How long the step took, in milliseconds.' },
      text: { type: 'string', description: 'The step in one line for people; programs read the fields above.' },
    },
  },
  Error: {
    type: 'object',
    required: ['error', 'message'],
    properties: {
      error: { type: 'string', enum: ['missing_address', 'invalid_address', 'unknown_domain'] },
      message: { type: 'string', description: 'Why, in words for people.' },
      code: { type: 'string', enum: [...ADDRESS_ERROR_CODES], description: 'With invalid_address: why, as a stable code for programs (the message may be reworded).' },
      steps: { type: 'array', description: 'Only with explain=1 on unknown_domain.', items: { $ref: '#/components/schemas/Step' } },
    },
  },
} as const;

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/** The document served at /api/v1/openapi.json; `serverUrl` is this service's base URL. */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'mailconfig settings API',
      version: '1.0.0',
      description: 'How a mail program connects for an e-mail address: IMAP, POP3 and SMTP servers, ports, TLS, user name and authentication, JMAP/CalDAV/CardDAV/WebDAV URLs, OAuth2 details, with where each value came from; and the DNS records a domain should publish.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: serverUrl }],
    paths: {
      '/api/v1/settings': {
        get: {
          operationId: 'getSettings',
          summary: 'Mail settings for an e-mail address',
          parameters: [
            { name: 'email', in: 'query', required: true, description: 'The e-mail address (an IDN domain is accepted in Unicode or punycode). `emailaddress` is accepted too.', schema: { type: 'string', maxLength: 254 }, example: 'alice@example.org' },
            { name: 'explain', in: 'query', required: false, description: 'With 1 (or true), the answer lists each lookup step with its outcome and timing.', schema: { type: 'string', enum: ['1', 'true', '0', 'false'] } },
          ],
          responses: {
            '200': { description: 'Settings found.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Settings' } } } },
            '400': errorResponse('No address given (missing_address) or the text is not an e-mail address (invalid_address).'),
            '404': errorResponse('No settings are known for the domain (unknown_domain).'),
          },
        },
      },
      '/api/v1/dns': {
        get: {
          operationId: 'getDnsRecords',
          summary: 'Every DNS record a domain should publish (PACC digest, autoconfig/autodiscover names, RFC 6186, RFC 6764, JMAP)',
          parameters: [{ name: 'domain', in: 'query', required: true, description: 'An address domain the service answers for.', schema: { type: 'string', maxLength: 253 }, example: 'example.org' }],
          responses: {
            '200': { description: 'The records; they point at this service (MAILCONFIG_PUBLIC_URL, else the Host asked).', content: { 'application/json': { schema: { $ref: '#/components/schemas/DnsRecords' } } } },
            '400': { description: 'No domain given (missing_domain) or not a domain name (invalid_domain).', content: { 'application/json': { schema: { $ref: '#/components/schemas/DnsError' } } } },
            '404': { description: 'No settings are known for the domain (unknown_domain).', content: { 'application/json': { schema: { $ref: '#/components/schemas/DnsError' } } } },
          },
        },
      },
      '/api/v1/check': {
        get: {
          operationId: 'checkDomain',
          summary: "Checks a customer's domain: whether every mail client finds the settings here, and the DNS records to add or change",
          parameters: [{ name: 'domain', in: 'query', required: true, description: 'The domain to check.', schema: { type: 'string', maxLength: 253 }, example: 'example.org' }],
          responses: {
            '200': { description: 'The report (cached for a minute).', content: { 'application/json': { schema: { $ref: '#/components/schemas/CheckReport' } } } },
            '400': { description: 'No domain given (missing_domain) or not a domain name (invalid_domain).', content: { 'application/json': { schema: { $ref: '#/components/schemas/CheckError' } } } },
            '429': { description: 'The per-client rate limit (MAILCONFIG_RATE_LIMIT) is used up.' },
            '503': { description: 'The check itself broke (check_failed; logged).', content: { 'application/json': { schema: { $ref: '#/components/schemas/CheckError' } } } },
          },
        },
      },
      '/api/v1/openapi.json': {
        get: { operationId: 'getOpenApi', summary: 'This document', responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } } } },
      },
    },
    components: { schemas },
  };
}
