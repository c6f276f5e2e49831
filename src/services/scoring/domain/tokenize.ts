/**
 * Turns raw text into the token records every measure of the scoring domain works on, using the
 * shared winkNLP pipeline ({@link nlp}). One place decides what counts as a "word", so word counts
 * (clarity, depth, speaking rate) agree with each other.
 */
import type { Detail, ItsFunction } from 'wink-nlp';
import { its, nlp } from './nlp-model';

/**
 * Coarse token class derived from winkNLP's `its.type`:
 * - `word`: ordinary words, plus e-mails, URLs, hashtags and mentions;
 * - `number`: winkNLP types `number`, `ordinal`, `decade` and `time` (e.g. `502`, `3rd`, `1990s`, `10:30am`);
 * - `punctuation`: punctuation marks;
 * - `other`: symbols, currency signs, emoji, emoticons, line breaks — never counted as words.
 */
export type TokenKind = 'word' | 'number' | 'punctuation' | 'other';

/** One token with the winkNLP properties the measures need. */
export interface AnalyzedToken {
  /** Surface text as written. */
  readonly text: string;
  /** winkNLP `its.normal`: lower-cased normal form (contraction parts expanded, e.g. `'s` → `is`). */
  readonly normal: string;
  /** winkNLP `its.lemma`, lower-cased (e.g. `collisions` → `collision`, `debugged` → `debug`). */
  readonly lemma: string;
  /** winkNLP `its.pos`: Universal Dependencies POS tag (`NOUN`, `VERB`, `PROPN`, `PUNCT`, …). */
  readonly pos: string;
  /** winkNLP `its.stopWordFlag`: true for function words such as `the`, `of`, `because`. */
  readonly isStopWord: boolean;
  /** Coarse class, see {@link TokenKind}. */
  readonly kind: TokenKind;
  /**
   * True for the dependent half of a contraction (`n't`, `'s`, `'re`, `'ll`, `'d`, `'ve`, `'m`): it is
   * part of the previous orthographic word and is not counted as a word of its own.
   */
  readonly isClitic: boolean;
  /** 0-based index of the sentence (winkNLP sentence boundary detection) containing this token. */
  readonly sentenceIndex: number;
}

/** A winkNLP named-entity mention (`its.detail`): e.g. `{ value: '60%', type: 'PERCENT' }`. */
export interface EntityMention {
  /** Entity text as written. */
  readonly value: string;
  /** winkNLP entity type: `CARDINAL`, `PERCENT`, `DATE`, `DURATION`, `MONEY`, `TIME`, `ORDINAL`, … */
  readonly type: string;
}

/** Result of {@link tokenize}. */
export interface TokenisedText {
  /** All tokens in document order. */
  readonly tokens: readonly AnalyzedToken[];
  /** Number of sentences found by winkNLP (0 for empty text). */
  readonly sentenceCount: number;
  /** Named-entity mentions found by winkNLP, in document order. */
  readonly entities: readonly EntityMention[];
}

const NUMBER_TYPES = new Set(['number', 'ordinal', 'decade', 'time']);
const WORD_TYPES = new Set(['word', 'email', 'url', 'hashtag', 'mention', 'alpha_numeric']);

function kindOf(type: string): TokenKind {
  if (WORD_TYPES.has(type)) return 'word';
  if (NUMBER_TYPES.has(type)) return 'number';
  if (type === 'punctuation') return 'punctuation';
  return 'other';
}

function isCliticText(text: string): boolean {
  const lower = text.toLowerCase();
  return lower.startsWith("'") || lower === "n't";
}

/**
 * Normalises typographic apostrophes/quotes (’ ‘ ʼ → ') so `I’m` is split like `I'm`.
 * Speech-to-text engines emit either form.
 */
export function normaliseQuotes(text: string): string {
  return text.replace(/[\u2018\u2019\u02BC]/g, "'");
}

/**
 * Tokenises `text` with winkNLP (after {@link normaliseQuotes}). Deterministic; empty or
 * whitespace-only text yields no tokens and no sentences.
 */
export function tokenize(text: string): TokenisedText {
  const clean = normaliseQuotes(text);
  if (clean.trim() === '') return { tokens: [], sentenceCount: 0, entities: [] };

  const doc = nlp.readDoc(clean);
  const tokens: AnalyzedToken[] = [];
  const sentences = doc.sentences();
  const sentenceCount = sentences.length();
  for (let s = 0; s < sentenceCount; s += 1) {
    const sentenceTokens = sentences.itemAt(s).tokens();
    const texts = sentenceTokens.out();
    const normals = sentenceTokens.out(its.normal);
    // winkNLP's typings declare `its.lemma` with an `addons` parameter that does not fit ItsFunction.
    const lemmas = sentenceTokens.out(its.lemma as unknown as ItsFunction<string>);
    const tags = sentenceTokens.out(its.pos) as string[];
    // Like the `??` fallbacks below, `=== true` reads an entry past the end as false.
    const stops = sentenceTokens.out(its.stopWordFlag) as (boolean | undefined)[];
    const types = sentenceTokens.out(its.type);
    const contractions = sentenceTokens.out(its.contractionFlag) as (boolean | undefined)[];
    for (let i = 0; i < texts.length; i += 1) {
      const type = types[i] ?? 'other';
      const tokenText = texts[i] ?? '';
      tokens.push({
        text: tokenText,
        normal: (normals[i] ?? tokenText).toLowerCase(),
        lemma: (lemmas[i] ?? tokenText).toLowerCase(),
        pos: tags[i] ?? 'X',
        isStopWord: stops[i] === true,
        kind: kindOf(type),
        isClitic: contractions[i] === true && isCliticText(tokenText),
        sentenceIndex: s,
      });
    }
  }
  const details = doc.entities().out(its.detail) as Detail[];
  const entities = details.map((d) => ({ value: d.value, type: d.type }));
  return { tokens, sentenceCount, entities };
}

/**
 * True when the token counts as a spoken/written word: kind `word` or `number`, and not a contraction
 * clitic (so `don't` is one word, `I'd` is one word, `502` is one word, `,` is none).
 */
export function isWordToken(token: AnalyzedToken): boolean {
  return (token.kind === 'word' || token.kind === 'number') && !token.isClitic;
}
