import { LRUCache } from 'lru-cache';
import type { SentenceEmbedder } from '../domain/semantic';

/** Short texts whose embeddings are remembered by default, and what "short" is, in characters. */
export const DEFAULT_MEMO_ENTRIES = 4_096;
export const MEMO_MAX_CHARS = 300;

/**
 * An embedder that remembers the embeddings of short texts it has seen: the bank's questions, the
 * categories' reference points and common keyword candidates come back answer after answer, and
 * the model is deterministic. Longer texts (an answer's sentences rarely repeat) always go to `inner`.
 */
export class RememberingEmbedder implements SentenceEmbedder {
  private readonly memo: LRUCache<string, Float32Array>;

  /** `entries`: how many texts it remembers, at least 1 (0 means none: use `inner` itself). */
  constructor(
    private readonly inner: SentenceEmbedder,
    entries: number = DEFAULT_MEMO_ENTRIES,
  ) {
    this.memo = new LRUCache({ max: entries });
  }

  /** `inner`'s vectors, the remembered ones from memory; throws what `inner` throws. */
  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    const known = texts.map((text) => (text.length <= MEMO_MAX_CHARS ? this.memo.get(text) : undefined));
    const missing = [...new Set(texts.filter((_, i) => known[i] === undefined))];
    const vectors = missing.length === 0 ? [] : await this.inner.encode(missing);
    const computed = new Map(missing.map((text, i) => [text, vectors[i]]));
    for (const [text, vector] of computed) if (text.length <= MEMO_MAX_CHARS) this.memo.set(text, vector);
    return texts.map((text, i) => {
      const vector = known[i] ?? computed.get(text);
      if (!vector) throw new Error(`the sentence embedder returned ${vectors.length} vectors for ${missing.length} texts`);
      return vector;
    });
  }
}
