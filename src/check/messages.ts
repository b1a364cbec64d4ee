// The check's sentences as structured findings: a message key and its parameters. The English templates live
// here because the JSON API and the CLI speak English; the pages render the same findings from their own tables
// (src/web/i18n/check-*.ts, keyed by CheckMessageKey) with `renderFinding`.
//
// A parameter is a plain value (a name, a zone line, an error text from the network layer), another finding (a
// clause such as why a name does not point here) or a list of findings (joined with "; ").

export const CHECK_MESSAGES = {
  'unknown.why': '{domain} is neither in the provider database nor hosted (by MX) by a provider in it, so there is nothing to compare with.',
  'unknown.fix': 'Add the domain to its provider file (mailconfig providers add, or <domain> in the file).',

  'mx.unreadable': 'The MX records of {domain} could not be read ({error}).',
  'mx.unreadable.fix': "Make sure the domain's name servers answer.",
  'mx.nxdomain': '{domain} does not exist in DNS.',
  'mx.nxdomain.fix': "Register the domain or fix the name servers' delegation.",
  'mx.none': '{domain} has no MX records, so no mail reaches it.',
  'mx.none.fix': "Add the provider's MX records.",
  'mx.none.fixUnder': "Add the provider's MX records (their mail hosts are under {mxDomain}).",
  'mx.unknownHost': 'Mail for {domain} goes to {host}, which no provider in the database is known for.',
  'mx.unknownHost.fix': 'Add the provider with <domain purpose="mx"> for its MX host, or add {domain} to its file.',
  'mx.notProviderHost': 'Mail for {domain} goes to {host}, which is not a known MX host of {provider}.',
  'mx.notProviderHost.fix': 'If {host} belongs to {provider}, add <domain purpose="mx"> for it to {file}; otherwise point the MX records at {provider}.',
  'mx.otherProvider': 'Mail for {domain} goes to {host} ({other}), but this service hands out the settings of {provider}.',
  'mx.otherProvider.fix': "Point the MX records at {provider}'s mail hosts, or move {domain} to the provider file of {other}.",
  'mx.ok': 'Mail for {domain} goes to {host}, a mail host of {provider}.',

  'name.cnameElsewhere': '{name} is a CNAME for {target}, not for this service ({hostnames})',
  'name.cnameElsewhereNoHostnames': '{name} is a CNAME for {target}, not for this service (no MAILCONFIG_HOSTNAMES set)',
  'name.unresolved': '{name} could not be resolved ({error})',
  'name.missing': '{name} does not exist',
  'name.foreign': '{name} points at {addresses}, which is not this service',

  'web.noAddress': '{name} has no address to connect to',
  'web.certificate': 'the certificate of https://{name}/ is not valid for the name ({error})',
  'web.noAnswer': 'https://{name}/ did not answer ({error})',
  'web.pointsHereBut': '{name} points here, but {problem}.',
  'web.certificate.fix': 'Get a valid certificate for {name} on this service (e.g. ACME), then check again.',
  'web.otherServer.fix': 'Make {name} reach this service, not another web server.',

  'fix.publish': 'Publish: {line}',

  'autoconfig.notFound': 'Thunderbird will not find the settings: {why}.',
  'autoconfig.invalidFile': '{url} did not serve a valid autoconfig file.',
  'autoconfig.otherServers': '{url} names other servers ({got}) than this service would ({want}).',
  'autoconfig.ok': '{name} reaches this service over HTTPS with a valid certificate and serves the expected servers.',

  'autodiscover.viaSrv': 'Outlook finds this service through _autodiscover._tcp.{domain} ({why}).',
  'autodiscover.srvPort': '_autodiscover._tcp.{domain} points at {target} on port {port}, but Outlook only asks port 443.',
  'autodiscover.srvPort.fix': 'Change it to: _autodiscover._tcp.{domain}. 3600 IN SRV 0 0 443 {host}.',
  'autodiscover.notFound': 'Outlook will not find the settings: {why}, and no _autodiscover._tcp SRV record points here.',
  'autodiscover.fix': 'Publish: {name}. 3600 IN CNAME {host}. (or _autodiscover._tcp.{domain}. 3600 IN SRV 0 0 443 {host}.)',
  'autodiscover.noSettings': '{name} did not answer the Autodiscover request with settings.',
  'autodiscover.otherServers': '{name} answers with other servers ({got}) than this service would ({want}).',
  'autodiscover.ok': '{name} reaches this service with a valid certificate and answers with the expected servers.',

  'srv.wrong': 'Clients that use RFC 6186 SRV records are sent to the wrong place: {wrong}.',
  'srv.wrongItem': '{name} says {now}, should be {want}',
  'srv.wrong.fix': 'Change the SRV records as in the zone lines below.',
  'srv.none': 'No RFC 6186 SRV records are published; clients that rely on them (and on "." for what is not offered) guess instead.',
  'srv.none.fix': 'Add the SRV records from the zone lines below.',
  'srv.some': 'Some RFC 6186 SRV records are missing: {names}.',
  'srv.some.fix': 'Add the missing SRV records from the zone lines below.',
  'srv.ok': 'Every RFC 6186 SRV record names the right host and port, and "." for what is not offered.',

  'pacc.impossible': 'These settings cannot be written as a PACC document ({reason}).',
  'pacc.notFound': 'PACC clients will not find the settings: {why}, and {txtName} has no UAAC1 record.',
  'pacc.notFound.fix': 'Publish the {name} CNAME and the {txtName} TXT record from the zone lines below.',
  'pacc.txtOnly': '{txtName} is published, but {why}.',
  'pacc.txtOnly.fix': 'Publish the {name} CNAME from the zone lines below.',
  'pacc.noTxt': '{name} serves the PACC document, but {txtName} has no UAAC1 TXT record, so clients ignore it.',
  'pacc.stale': 'The digest in {txtName} does not match the document {name} serves (it is stale or mistyped), so PACC clients reject it.',
  'pacc.stale.fix': 'Replace the TXT record with: {line}',
  'pacc.ok': '{name} serves the PACC document and {txtName} carries its digest.',

  'dav.notOffered': '{provider} offers no {what}, so there is nothing to check.',
  'dav.wrong': 'The RFC 6764 {what} records point elsewhere: {wrong}.',
  'dav.wrongItem': '{type} says {now}, should be {want}',
  'dav.wrong.fix': 'Change them as in the zone lines below.',
  'dav.missing': 'The RFC 6764 {what} records are missing ({types} at {name}), so phones and calendar apps must be set up by hand.',
  'dav.missing.fix': 'Add: {lines}',
  'dav.ok': 'The RFC 6764 {what} SRV and TXT records name the right server and path.',

  'servers.none': 'The settings name no fixed servers to try (host names depend on the address).',
  'servers.bad': '{bad} of {total} advertised servers do not work: {problems}.',
  'servers.badItem': '{label}: {problem}',
  'servers.bad.fix': 'Fix the servers (certificate, listener) or correct the provider file.',
  'servers.ok': 'All {total} advertised servers answer with valid TLS and greet ({labels}).',
  'server.refused': '{host} resolves only to addresses that may not be used',
  'server.noAddress': '{host} has no address',
  'server.outOfTime': 'not tried: the check ran out of time',
  /** A probe's own error text (TLS, certificate, greeting), as the network layer words it. */
  'server.probeError': '{error}',
} as const;

export type CheckMessageKey = keyof typeof CHECK_MESSAGES;
export type MessageTable = Readonly<Record<CheckMessageKey, string>>;

export type FindingParam = string | number | Finding | readonly Finding[];

export interface Finding {
  key: CheckMessageKey;
  params: Readonly<Record<string, FindingParam>>;
}

export const finding = (key: CheckMessageKey, params: Record<string, FindingParam> = {}): Finding => ({ key, params });

/** A finding as text from a table of templates; `{name}` placeholders without a parameter stay as they are. */
export function renderFinding(item: Finding, table: MessageTable = CHECK_MESSAGES): string {
  const param = (value: FindingParam): string => {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    if (isFindingList(value)) return value.map((f) => renderFinding(f, table)).join('; ');
    return renderFinding(value, table);
  };
  return table[item.key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = item.params[name];
    return value === undefined ? whole : param(value);
  });
}

function isFindingList(value: Finding | readonly Finding[]): value is readonly Finding[] {
  return Array.isArray(value);
}

/** `{name}` placeholders of a template, sorted (for the tables' tests). */
export function placeholdersOfTemplate(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}
