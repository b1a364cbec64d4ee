// Child process for crash.test.ts: writes providers through LiveProviderStore in a loop and prints each write it
// got acknowledged, so the parent can SIGKILL it mid-burst and check that every acknowledged write survived.
// Usage: node --import tsx write-loop.ts <dir>
import { pathToFileURL } from 'node:url';
import { LiveProviderStore } from '../../src/providers/store.js';

export function loopProvider(id: string, version: number): string {
  // Padding makes each write large enough that a torn write would be visible as a parse error.
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${id}">
    <domain>${id}</domain>
    <displayName>version ${version} ${'x'.repeat(8000)}</displayName>
    <incomingServer type="imap">
      <hostname>imap.${id}</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.${id}</hostname>
      <port>${1 + (version % 60000)}</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;
}

async function main(dir: string): Promise<void> {
  const store = await LiveProviderStore.open(dir);
  for (let i = 0; ; i++) {
    // A new file each time (every acknowledged one must exist) and one file rewritten over and over.
    const fresh = await store.write(`crash-${i}.example`, loopProvider(`crash-${i}.example`, i));
    const shared = await store.write('shared.example', loopProvider('shared.example', i));
    if (fresh.status !== 'written' || shared.status !== 'written') throw new Error(`write ${i} refused: ${JSON.stringify([fresh, shared])}`);
    process.stdout.write(`ack ${i}\n`);
  }
}

// Also imported by store.test.ts for loopProvider: only loop when run as the script itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2]) await main(process.argv[2]);
