/** Escapes text for element content and attribute values alike. */
export function escapeXml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`)
    // Characters XML 1.0 cannot carry at all: drop rather than emit a document no client parses.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}
