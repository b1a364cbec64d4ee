import { distance } from 'fastest-levenshtein';

/**
 * A database domain close to a mistyped one ("gmial.com" -> "gmail.com"): at most one edit for short domains,
 * two from eight characters on; undefined when nothing is that close or two candidates are equally close.
 */
export function suggestDomain(domain: string, known: Iterable<string>): string | undefined {
  const limit = domain.length >= 8 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const candidate of known) {
    if (candidate === domain || Math.abs(candidate.length - domain.length) > limit) continue;
    const d = distance(domain, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance && candidate !== best) {
      tie = true;
    }
  }
  return best !== undefined && bestDistance <= limit && !tie ? best : undefined;
}
