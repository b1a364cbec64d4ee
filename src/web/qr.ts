import QRCode from 'qrcode';
import { trusted, escapeHtml, type SafeHtml } from './html.js';

/**
 * A QR code as inline SVG, drawn server-side so the page needs no script and no image request.
 * One path of horizontal runs keeps it small; a 4-module quiet zone lets phone cameras find it.
 */
export function qrSvg(text: string, label: string): SafeHtml {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const quiet = 4;
  let path = '';
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && modules.get(row, col)) col++;
      path += `M${start + quiet} ${row + quiet}h${col - start}v1h${start - col}z`;
    }
  }
  const box = size + 2 * quiet;
  return trusted(
    `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${box} ${box}" role="img" aria-label="${escapeHtml(label)}" shape-rendering="crispEdges">` +
      `<rect width="${box}" height="${box}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`,
  );
}
