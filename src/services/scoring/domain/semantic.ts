/**
 * What the analysis asks of a sentence-embedding model, and the one call per answer that asks it.
 * The model itself (all-MiniLM-L6-v2 on onnxruntime-node) lives outside the domain
 * (`semantic/sentence-encoder.ts`); the domain sees only {@link SentenceEmbedder}, so that it stays
 * free of I/O and a test can hand it any encoder.
 */
/** Turns texts into unit-length sentence embeddings. */
export interface SentenceEmbedder {
  /**
   * One L2-normalised vector per text, in order (all of one dimension; 384 for all-MiniLM-L6-v2).
   * Any text is accepted, the empty string included.
   */
  encode(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Cosine similarity of two L2-normalised vectors of one dimension: their dot product, -1..1. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i += 1) dot += a[i] * b[i];
  return dot;
}

/**
 * Most answer sentences embedded (passages, points and keywords' answer vector are made of them):
 * the rest of a longer answer is not read by the model. Bounds the model's work per answer; 24
 * sentences are two to three minutes of speech.
 */
export const MAX_EMBEDDED_SENTENCES = 24;
/** Sentences in a passage: the span the answer is compared with the question over (see `relevance.ts`). */
export const PASSAGE_SENTENCES = 3;
/** Most keyword candidates embedded per answer (the most frequent first, see `keywords.ts`). */
export const MAX_EMBEDDED_CANDIDATES = 12;

/** The embeddings one analysis needs, from one {@link SentenceEmbedder.encode} call. */
export interface AnswerEmbeddings {
  readonly question: Float32Array;
  /** The answer's passages: each run of {@link PASSAGE_SENTENCES} consecutive sentences (the whole answer when it has fewer), as the normalised mean of their embeddings. */
  readonly passages: readonly Float32Array[];
  /** The answer as a whole: the normalised mean of its sentences' embeddings. */
  readonly answer: Float32Array;
  /** The answer's first {@link MAX_EMBEDDED_SENTENCES} sentences, with their texts. */
  readonly sentences: readonly { readonly text: string; readonly vector: Float32Array }[];
  /** The keyword candidates passed in, in order, at most {@link MAX_EMBEDDED_CANDIDATES}. */
  readonly candidates: readonly { readonly term: string; readonly vector: Float32Array }[];
  /** The answer as written (`AnswerTexts.asWritten`), when it was asked for. */
  readonly asWritten: Float32Array | undefined;
  /** The category's reference points, in order. */
  readonly references: readonly Float32Array[];
}

/** The texts of one analysis to embed. */
export interface AnswerTexts {
  readonly question: string;
  /**
   * The answer's sentences (winkNLP boundaries) without the question's topic words, each with a
   * word left (`sentencesWithout`): what the answer says of its own, which is what is compared with
   * the question.
   */
  readonly sentences: readonly string[];
  /** The answer as written, when the raw similarity is needed too (a short answer: is it the question restated?). */
  readonly asWritten?: string;
  /** The category's reference points (`category-references.ts`), perhaps none. */
  readonly references: readonly string[];
  /** Keyword candidates, most promising first. */
  readonly candidates: readonly string[];
}

/** Each run of `size` consecutive items; all of them as one run when there are fewer. */
export function passagesOf<T>(items: readonly T[], size: number = PASSAGE_SENTENCES): T[][] {
  if (items.length <= size) return [[...items]];
  return items.slice(0, items.length - size + 1).map((_, i) => items.slice(i, i + size));
}

/**
 * The weighted mean of unit vectors, scaled back to unit length (L2): a text's vector from its
 * windows', a passage's from its sentences'. One vector is returned as it is. Throws when there are none or the lengths differ.
 */
export function weightedUnitMean(vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (vectors.length === 0 || vectors.length !== weights.length) throw new Error(`${vectors.length} vectors and ${weights.length} weights`);
  if (vectors.length === 1) return vectors[0];
  const dimensions = vectors[0].length;
  const sum = new Float64Array(dimensions);
  vectors.forEach((vector, i) => {
    if (vector.length !== dimensions) throw new Error(`vectors of ${dimensions} and ${vector.length} dimensions`);
    for (let d = 0; d < dimensions; d++) sum[d] += weights[i] * vector[d];
  });
  let norm = 0;
  for (const value of sum) norm += value * value;
  norm = Math.max(Math.sqrt(norm), 1e-12);
  return Float32Array.from(sum, (value) => value / norm);
}

/**
 * Embeds the question, the answer's sentences and the keyword candidates in one call; a passage's
 * embedding is the normalised mean of its sentences' (each sentence is run through the model once,
 * not once per passage that holds it: a third of the work, and on the evaluation set the same order).
 * @throws whatever the embedder throws (the model failing to run).
 */
export async function embedAnswer(embedder: SentenceEmbedder, texts: AnswerTexts): Promise<AnswerEmbeddings> {
  const sentences = texts.sentences.slice(0, MAX_EMBEDDED_SENTENCES);
  const terms = texts.candidates.slice(0, MAX_EMBEDDED_CANDIDATES);
  const asWritten = texts.asWritten === undefined ? [] : [texts.asWritten];
  const all = [texts.question, ...asWritten, ...texts.references, ...(sentences.length > 0 ? sentences : ['']), ...terms];
  const vectors = await embedder.encode(all);
  if (vectors.length !== all.length) throw new Error(`the sentence embedder returned ${vectors.length} vectors for ${all.length} texts`);
  const [question, ...afterQuestion] = vectors;
  const written = afterQuestion.slice(0, asWritten.length);
  const references = afterQuestion.slice(asWritten.length, asWritten.length + texts.references.length);
  const rest = afterQuestion.slice(asWritten.length + texts.references.length);
  const sentenceVectors = rest.slice(0, Math.max(1, sentences.length));
  const termVectors = rest.slice(Math.max(1, sentences.length));
  const passages = passagesOf(sentenceVectors).map((group) =>
    weightedUnitMean(
      group,
      group.map(() => 1),
    ),
  );
  return {
    question,
    passages,
    answer: weightedUnitMean(
      sentenceVectors,
      sentenceVectors.map(() => 1),
    ),
    sentences: sentences.map((text, i) => ({ text, vector: sentenceVectors[i] })),
    candidates: terms.map((term, i) => ({ term, vector: termVectors[i] })),
    asWritten: written.at(0),
    references,
  };
}

/** The highest cosine similarity of `target` to one of the answer's passages, -1..1 (0 without passages). */
export function bestPassageSimilarity(embeddings: AnswerEmbeddings, target: Float32Array = embeddings.question): number {
  return embeddings.passages.length === 0 ? 0 : Math.max(...embeddings.passages.map((p) => cosine(p, target)));
}

/** The highest cosine similarity of a passage to one of the category's reference points, -1..1 (-1 without any). */
export function bestReferenceSimilarity(embeddings: AnswerEmbeddings): number {
  return Math.max(-1, ...embeddings.references.map((r) => bestPassageSimilarity(embeddings, r)));
}
