/**
 * Runs `fn` over `items` with at most `limit` calls in flight, and returns the results in the items' order. The
 * provider loader uses it so that a directory of 100,000 files does not open 100,000 files at once (EMFILE).
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new RangeError('mapBounded needs a limit of at least 1');
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.floor(limit), items.length) }, worker));
  return results;
}
