/**
 * Extracts the shared, measure-independent features of one text (question or answer):
 * word and sentence counts, content lemmas and fillers. Every analysis measure reads these, so the
 * text is run through winkNLP only once per analysis.
 */
import { detectFillers, type FillerMatch } from './filler-words';
import { isWordToken, tokenize, type AnalyzedToken, type EntityMention } from './tokenize';

/**
 * Universal Dependencies POS tags that make a (non-stop, non-filler) word a *content word*:
 * nouns, proper nouns, verbs, adjectives and adverbs. Function words, interjections, numbers and
 * punctuation are excluded.
 */
export const CONTENT_POS: ReadonlySet<string> = new Set(['NOUN', 'PROPN', 'VERB', 'ADJ', 'ADV']);

/** Features of one text. All counts are non-negative integers. */
export interface TextFeatures {
  /** Tokens from winkNLP, document order. */
  readonly tokens: readonly AnalyzedToken[];
  /** `isFiller[i]` is true when token `i` is part of a filler (see `filler-words.ts`). */
  readonly isFiller: readonly boolean[];
  /** Named-entity mentions from winkNLP. */
  readonly entities: readonly EntityMention[];
  /** Words (word or number tokens, contraction clitics excluded): `don't` = 1, `502` = 1. */
  readonly wordCount: number;
  /** Lower-case normal forms of the non-filler words, in order (used for repetition). */
  readonly fluentWords: readonly string[];
  /**
   * Non-filler words per sentence (winkNLP sentence boundaries), only sentences with at least one
   * such word. Fillers are left out so that they are penalised once, by the filler ratio.
   */
  readonly sentenceWordCounts: readonly number[];
  /**
   * Lemmas of content words in order: word tokens with a POS in {@link CONTENT_POS}, not winkNLP
   * stop words, not fillers, at least two characters and containing a letter.
   */
  readonly contentLemmas: readonly string[];
  /** Indices into `tokens` of the content words (parallel to `contentLemmas`). */
  readonly contentTokenIndices: readonly number[];
  /** Filler occurrences (see `detectFillers`). */
  readonly fillers: readonly FillerMatch[];
  /** Words covered by fillers. */
  readonly fillerWordCount: number;
}

const HAS_LETTER = /\p{L}/u;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** True when `token` (not a filler) is a content word as defined on {@link TextFeatures.contentLemmas}. */
export function isContentToken(token: AnalyzedToken): boolean {
  return token.kind === 'word' && !token.isClitic && !token.isStopWord && CONTENT_POS.has(token.pos) && token.lemma.length >= 2 && HAS_LETTER.test(token.lemma);
}

/** Runs winkNLP on `text` and computes its {@link TextFeatures}. Deterministic; '' gives all zeros. */
export function extractTextFeatures(text: string): TextFeatures {
  const { tokens, entities } = tokenize(text);
  const fillers = detectFillers(tokens);
  const fluentWords: string[] = [];
  const perSentence = new Map<number, number>();
  const contentLemmas: string[] = [];
  const contentTokenIndices: number[] = [];
  let wordCount = 0;

  tokens.forEach((token, index) => {
    if (!isWordToken(token)) return;
    wordCount += 1;
    if (fillers.isFiller[index]) return;
    fluentWords.push(token.normal);
    perSentence.set(token.sentenceIndex, (perSentence.get(token.sentenceIndex) ?? 0) + 1);
    if (isContentToken(token)) {
      contentLemmas.push(token.lemma);
      contentTokenIndices.push(index);
    }
  });

  const sentenceWordCounts = [...perSentence.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  return {
    tokens,
    isFiller: fillers.isFiller,
    entities,
    wordCount,
    fluentWords,
    sentenceWordCounts,
    contentLemmas,
    contentTokenIndices,
    fillers: fillers.matches,
    fillerWordCount: fillers.fillerWordCount,
  };
}

/**
 * The text's sentences (winkNLP boundaries) with fillers and every word whose lemma is in `lemmas`
 * left out, words joined by single spaces: what each sentence says besides those words. Sentences
 * left without a letter or digit are dropped.
 */
export function sentencesWithout(features: TextFeatures, lemmas: ReadonlySet<string>): string[] {
  const kept = new Map<number, string[]>();
  features.tokens.forEach((token, index) => {
    if (features.isFiller[index] || token.kind === 'other') return;
    if (token.kind === 'word' && lemmas.has(token.lemma)) return;
    const words = kept.get(token.sentenceIndex) ?? [];
    words.push(token.text);
    kept.set(token.sentenceIndex, words);
  });
  return [...kept.values()].filter((words) => words.some((w) => HAS_LETTER_OR_DIGIT.test(w))).map((words) => words.join(' '));
}
