import { createHash } from 'node:crypto';

/**
 * A cache key for the analysis of one input: SHA-256 (base64url) over `parts`, each
 * length-prefixed so that no two different lists give the same key (`['ab', 'c']` and `['a', 'bc']`).
 */
export function cacheKey(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}\n`);
  return hash.digest('base64url');
}
