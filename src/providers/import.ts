import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderClientConfig } from '../formats/thunderbird.js';
import { BROKEN_PLACEHOLDER, repairPlaceholders } from '../settings/placeholders.js';
import { parseProvider, type Problem } from './parse.js';

export const MPL_HEADER =
  '<!-- Derived from the Thunderbird ISPDB. This Source Code Form is subject to the terms of the Mozilla Public\n' +
  '     License, v. 2.0. If a copy of the MPL was not distributed with this file, You can obtain one at\n' +
  '     https://mozilla.org/MPL/2.0/. See NOTICE in this directory. -->\n';

/** Known quirks of public ISPDB files, repaired on import; each repair is reported as a note. */
const REPAIRS: { pattern: RegExp; fix: (text: string) => string; note: string }[] = [
  { pattern: BROKEN_PLACEHOLDER, fix: repairPlaceholders, note: 'repaired a placeholder without its closing %' },
  {
    pattern: /<instruction url=/,
    fix: (t) => t.replace(/<instruction (url="[^"]*")\s*>([\s\S]*?)<\/instruction>/g, '<documentation $1>$2</documentation>'),
    note: 'turned <instruction url> (a documentation link) into <documentation url>',
  },
  { pattern: /<(\/?)displayNameShort>/, fix: (t) => t.replace(/<(\/?)displayNameShort>/g, '<$1displayShortName>'), note: 'renamed <displayNameShort> to <displayShortName>' },
];

export interface ImportReport {
  written: string[];
  skipped: string[];
  problems: Problem[];
  domains: number;
}

/** Imports ISPDB-format files from `from` into normalized provider files in `to` (same file names). */
export async function importProviders(from: string, to: string): Promise<ImportReport> {
  await mkdir(to, { recursive: true });
  const names = (await readdir(from)).filter((n) => n.toLowerCase().endsWith('.xml')).sort();
  const report: ImportReport = { written: [], skipped: [], problems: [], domains: 0 };
  const seen = new Set<string>();
  for (const name of names) {
    let text = await readFile(join(from, name), 'utf8');
    for (const repair of REPAIRS) {
      if (!repair.pattern.test(text)) continue;
      text = repair.fix(text);
      report.problems.push({ file: name, line: 1, severity: 'warning', message: repair.note });
    }
    const { config, problems } = parseProvider(text, { file: name });
    report.problems.push(...problems);
    if (!config) {
      report.skipped.push(name);
      continue;
    }
    config.domains.forEach((d) => seen.add(d));
    await writeFile(join(to, name), renderClientConfig(config).replace('\n', `\n${MPL_HEADER}`));
    report.written.push(name);
  }
  report.domains = seen.size;
  return report;
}
