// Several instances on one provider directory (a shared volume): a change through one instance's admin API is
// announced on a Redis channel, and every other instance reads that file again at once, instead of waiting for its
// directory watcher (which a network file system may never wake). The file is the source of truth; the notice only
// says which one to read. Redis down: each instance's watcher and SIGHUP still apply changes, only later.
import { randomBytes } from 'node:crypto';
import type { SharedState } from '../redis/shared-state.js';
import { isProviderKey } from './checks.js';
import { providerKey } from './database.js';
import type { LiveProviderStore } from './store.js';
import type { StoreLog } from './watch.js';

const CHANNEL = 'providers:changed';

/** Connects the store to the channel; returns the function that disconnects it. */
export function shareProviderChanges(store: LiveProviderStore, shared: SharedState, log: StoreLog, onApplied: (file: string) => void = () => {}): () => void {
  const self = randomBytes(6).toString('hex');
  store.onWrite = (file) => void shared.publish(CHANNEL, JSON.stringify({ from: self, file }));
  const unsubscribe = shared.subscribe(CHANNEL, (message) => {
    const notice = parseNotice(message);
    // Only a provider file's name is ever read (a notice naming anything else is not ours).
    if (!notice || notice.from === self || !notice.file.endsWith('.xml') || !isProviderKey(providerKey(notice.file))) return;
    store.reloadFile(notice.file).then(
      () => onApplied(notice.file),
      (error: unknown) => log.warn({ err: error, file: notice.file }, 'provider file announced by another instance could not be read'),
    );
  });
  return () => {
    store.onWrite = () => {};
    unsubscribe();
  };
}

function parseNotice(message: string): { from: string; file: string } | undefined {
  try {
    const value = JSON.parse(message) as { from?: unknown; file?: unknown } | null;
    return typeof value?.from === 'string' && typeof value.file === 'string' ? { from: value.from, file: value.file } : undefined;
  } catch {
    return undefined;
  }
}
