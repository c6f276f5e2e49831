import { SentenceEncoder } from '../../src/services/scoring/semantic/sentence-encoder';

let encoder: Promise<SentenceEncoder> | undefined;

/**
 * The scoring service's real sentence-embedding model (all-MiniLM-L6-v2, made under .cache/ by
 * scripts/models/ensure-text-model.sh, which `npm test` runs first), loaded once per test file.
 */
export function testEncoder(): Promise<SentenceEncoder> {
  encoder ??= SentenceEncoder.load();
  return encoder;
}
