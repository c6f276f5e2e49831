/**
 * Depth of an answer: enough substance on the question's subject, varied vocabulary, concrete
 * specifics and several distinct points.
 *
 * Definition (components in 0..1, score 0..100):
 * - *volume* = min(1, content words / {@link VOLUME_SATURATION}); 40 content words ≈ 80–100 spoken
 *   words ≈ 40 s of speech at conversational rate.
 * - *variety*: moving-average type/token ratio (MATTR; Covington & McFall, 2010) of the content lemmas
 *   over windows of {@link MATTR_WINDOW} lemmas (plain TTR when there are fewer), mapped linearly from
 *   {@link VARIETY_RANGE}.low (→ 0) to .high (→ 1), then multiplied by min(1, content words /
 *   {@link MATTR_WINDOW}) because the type/token ratio of a handful of words is trivially high.
 *   MATTR is used because plain TTR falls with text length.
 * - *specifics* = mean of three capped counts:
 *   - evidence = min(1, distinct numbers, winkNLP entities (`CARDINAL`, `PERCENT`, `DATE`, …) and
 *     proper nouns / 3);
 *   - technical = min(1, distinct technical terms (`TECHNICAL_TERMS` or technical-looking tokens such
 *     as `p99`, `API`) / 5);
 *   - reasoning = min(1, example/causal/measurement markers ({@link REASONING_MARKERS}: "for example",
 *     "because", "we measured", …) / 2).
 * - *points*: the answer's sentences of at least {@link POINTS.minWords} words that say something
 *   new (the cosine of their embedding to every point counted before < {@link POINTS.duplicate});
 *   points = min(1, their number / {@link POINTS.saturation}). Repeating oneself adds none.
 * - *on subject* = the answer's semantic relevance to the question (0..1, `relevance.ts`): what is
 *   said about something else adds no depth to this question.
 * - depth = 100 · (r + (1 − r) · on subject) · Σ weight · component, with r =
 *   {@link OFF_SUBJECT_RETAINED} and the weights {@link DEPTH_WEIGHTS}; one decimal; 0 for an empty answer.
 *
 * Saturation counts, thresholds and weights are calibration choices for 1–2 minute interview answers,
 * not values from literature.
 */
import { clamp01, compareStrings, toScore } from './numeric';
import { cosine, type AnswerEmbeddings } from './semantic';
import type { TextFeatures } from './text-features';
import { inVocabulary, looksTechnical, TECHNICAL_TERMS } from './vocabulary';

/** Content words at which the volume component saturates. */
export const VOLUME_SATURATION = 40;
/** MATTR window length, in content lemmas. */
export const MATTR_WINDOW = 20;
/** MATTR values mapped to variety 0 (low) and 1 (high). */
export const VARIETY_RANGE = { low: 0.4, high: 0.8 } as const;
/** Counts at which each specifics sub-component saturates. */
export const SPECIFICS_SATURATION = { evidence: 3, technical: 5, reasoning: 2 } as const;
/** Weights of the depth components; they sum to 1. */
export const DEPTH_WEIGHTS = { volume: 0.2, variety: 0.15, specifics: 0.4, points: 0.25 } as const;
/** Words a sentence needs to count as a point, the cosine similarity at which it repeats a counted one, and the points at which the component saturates. */
export const POINTS = { minWords: 5, duplicate: 0.8, saturation: 5 } as const;
/** Share of the depth an answer keeps when none of it is on the question's subject. */
export const OFF_SUBJECT_RETAINED = 0.4;

/**
 * Example, causal and measurement markers, as lower-case word sequences (winkNLP normal forms, so
 * "that's why" is `that is why`).
 */
export const REASONING_MARKERS: readonly (readonly string[])[] = [
  ['for', 'example'],
  ['for', 'instance'],
  ['such', 'as'],
  ['e.g.'],
  ['because'],
  ['so', 'that'],
  ['as', 'a', 'result'],
  ['which', 'meant'],
  ['that', 'meant'],
  ['in', 'order', 'to'],
  ['the', 'reason'],
  ['that', 'is', 'why'],
  ['root', 'cause'],
  ['compared', 'to'],
  ['we', 'measured'],
  ['i', 'measured'],
  ['we', 'found'],
  ['i', 'found'],
  ['we', 'noticed'],
  ['i', 'noticed'],
];

/** Depth score with its inputs. */
export interface DepthMeasure {
  /** Depth, 0..100 (one decimal). */
  readonly score: number;
  /** Content words in the answer. */
  readonly contentWordCount: number;
  /** MATTR of content lemmas, 0..1 (0 when there are none). */
  readonly lexicalVariety: number;
  /** Distinct numbers, entities and proper nouns, alphabetical. */
  readonly evidence: readonly string[];
  /** Distinct technical terms, alphabetical. */
  readonly technicalTerms: readonly string[];
  /** Number of reasoning-marker occurrences. */
  readonly reasoningMarkers: number;
  /** Distinct points: the embedded sentences that say something new (see the module definition). */
  readonly points: number;
}

/** The number of distinct points among the answer's embedded sentences (see the module definition). */
export function countPoints(embeddings: AnswerEmbeddings): number {
  const counted: Float32Array[] = [];
  for (const sentence of embeddings.sentences) {
    if (sentence.text.split(/\s+/).filter(Boolean).length < POINTS.minWords) continue;
    if (counted.every((point) => cosine(point, sentence.vector) < POINTS.duplicate)) counted.push(sentence.vector);
  }
  return counted.length;
}

/**
 * Moving-average type/token ratio (Covington & McFall, 2010) of `items` over windows of `window`
 * items; plain type/token ratio when there are fewer items than `window`; 0 for no items.
 */
export function movingAverageTypeTokenRatio(items: readonly string[], window: number): number {
  if (items.length === 0) return 0;
  if (items.length <= window) return new Set(items).size / items.length;
  const counts = new Map<string, number>();
  let types = 0;
  let total = 0;
  for (let i = 0; i < items.length; i += 1) {
    const add = items[i];
    const before = counts.get(add) ?? 0;
    counts.set(add, before + 1);
    if (before === 0) types += 1;
    if (i >= window) {
      const drop = items[i - window];
      const left = (counts.get(drop) ?? 0) - 1;
      counts.set(drop, left);
      if (left === 0) types -= 1;
    }
    if (i >= window - 1) total += types / window;
  }
  return total / (items.length - window + 1);
}

function countMarkers(words: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < words.length; i += 1) {
    for (const marker of REASONING_MARKERS) {
      if (marker.every((w, k) => words[i + k] === w)) count += 1;
    }
  }
  return count;
}

/**
 * Measures depth of an answer from its {@link TextFeatures} and its embeddings.
 * @param onSubject the answer's semantic relevance to the question, 0..1 (`RelevanceMeasure.semantic`).
 */
export function measureDepth(answer: TextFeatures, embeddings: AnswerEmbeddings, onSubject: number): DepthMeasure {
  const evidence = new Set<string>();
  const technical = new Set<string>();
  const markerWords: string[] = [];

  answer.tokens.forEach((token, index) => {
    if (answer.isFiller[index]) return;
    if (token.kind === 'number') evidence.add(token.normal);
    if (token.kind === 'word' || token.kind === 'number') markerWords.push(token.normal);
    if (token.kind !== 'word' || token.isClitic) return;
    // spelled-out numbers ("fifteen"); winkNLP flags small ones ("two") as stop words
    if (token.pos === 'NUM' && !token.isStopWord) evidence.add(token.normal);
    if (token.pos === 'PROPN' && !token.isStopWord && token.lemma.length >= 2 && !token.lemma.includes("'")) {
      evidence.add(token.lemma);
    }
    if (inVocabulary(TECHNICAL_TERMS, token.lemma, token.normal) || looksTechnical(token.text)) {
      technical.add(token.lemma);
    }
  });
  for (const entity of answer.entities) evidence.add(entity.value.toLowerCase());

  const contentWordCount = answer.contentLemmas.length;
  const lexicalVariety = movingAverageTypeTokenRatio(answer.contentLemmas, MATTR_WINDOW);
  const reasoningMarkers = countMarkers(markerWords);

  const volume = clamp01(contentWordCount / VOLUME_SATURATION);
  const variety = clamp01((lexicalVariety - VARIETY_RANGE.low) / (VARIETY_RANGE.high - VARIETY_RANGE.low)) * clamp01(contentWordCount / MATTR_WINDOW);
  const specifics =
    (clamp01(evidence.size / SPECIFICS_SATURATION.evidence) +
      clamp01(technical.size / SPECIFICS_SATURATION.technical) +
      clamp01(reasoningMarkers / SPECIFICS_SATURATION.reasoning)) /
    3;
  const points = countPoints(embeddings);
  const unit =
    DEPTH_WEIGHTS.volume * volume +
    DEPTH_WEIGHTS.variety * variety +
    DEPTH_WEIGHTS.specifics * specifics +
    DEPTH_WEIGHTS.points * clamp01(points / POINTS.saturation);
  const retained = OFF_SUBJECT_RETAINED + (1 - OFF_SUBJECT_RETAINED) * clamp01(onSubject);
  return {
    score: answer.wordCount === 0 ? 0 : toScore(unit * retained),
    contentWordCount,
    lexicalVariety,
    evidence: [...evidence].sort(compareStrings),
    technicalTerms: [...technical].sort(compareStrings),
    reasoningMarkers,
    points,
  };
}
