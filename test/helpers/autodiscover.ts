import { childrenNamed, firstChild, parseXml, type XmlElement } from '../../src/xml/parse.js';

export const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
export const MOBILESYNC_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006';
export const OUTLOOK_REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
export const MOBILESYNC_REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006';

/** A POX request as Outlook sends it; `inner` replaces the Request's children when given. */
export function poxRequest(address: string, schema = OUTLOOK_SCHEMA, ns = OUTLOOK_REQUEST_NS): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${ns}">`,
    '  <Request>',
    `    <EMailAddress>${address}</EMailAddress>`,
    `    <AcceptableResponseSchema>${schema}</AcceptableResponseSchema>`,
    '  </Request>',
    '</Autodiscover>',
  ].join('\n');
}

/** One Protocol element as a name -> text record. */
export type PoxProtocol = Record<string, string>;

export interface PoxAnswer {
  root: XmlElement;
  response: XmlElement;
  protocols: PoxProtocol[];
  error?: { code: string; message: string; debugData: string; time: string; id: string } | undefined;
}

/** Parses a POX answer (settings or error) with the project's own safe parser. */
export function readPox(xml: string): PoxAnswer {
  const root = parseXml(xml);
  const response = firstChild(root, 'Response');
  if (!response) throw new Error('no <Response>');
  const account = firstChild(response, 'Account');
  const protocols = account
    ? childrenNamed(account, 'Protocol').map((p) => Object.fromEntries(p.children.map((c) => [c.name, c.text])))
    : [];
  const errorEl = firstChild(response, 'Error');
  const error = errorEl
    ? {
        code: firstChild(errorEl, 'ErrorCode')?.text ?? '',
        message: firstChild(errorEl, 'Message')?.text ?? '',
        debugData: firstChild(errorEl, 'DebugData')?.text ?? '',
        time: errorEl.attrs.Time ?? '',
        id: errorEl.attrs.Id ?? '',
      }
    : undefined;
  return { root, response, protocols, error };
}
