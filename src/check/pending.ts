// Facts that arrive one by one (PendingFacts): waiting for the ones a check reads. Pure: no network of its own.
import type { CheckFacts, PendingFacts } from './types.js';

/** The facts named, once they have arrived (facts that came back undefined are left out, as in CheckFacts). */
export async function known<K extends keyof CheckFacts>(pending: PendingFacts, keys: readonly K[]): Promise<Pick<CheckFacts, K>> {
  const values = await Promise.all(keys.map((key) => pending[key] as Promise<unknown>));
  const facts: Record<string, unknown> = {};
  keys.forEach((key, i) => {
    if (values[i] !== undefined) facts[key] = values[i];
  });
  return facts as Pick<CheckFacts, K>;
}

/** Every fact, once all have arrived. */
export function allFacts(pending: PendingFacts): Promise<CheckFacts> {
  return known(pending, Object.keys(pending) as (keyof CheckFacts)[]);
}
