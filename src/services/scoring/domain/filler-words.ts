/**
 * Filler-word (disfluency and hedge) detection on tokenised speech transcripts.
 *
 * Spontaneous speech contains roughly 6 disfluencies per 100 words (Bortfeld et al., 2001,
 * "Disfluency rates in conversation", Language and Speech 44(2)); fillers such as "um"/"uh"
 * (Clark & Fox Tree, 2002) and discourse markers such as "like", "you know", "I mean"
 * (Fox Tree & Schrock, 2002) are the most frequent. Words that are fillers in one context are
 * content in another ("I like Go", "what kind of index"), so context rules decide, listed on
 * {@link FILLER_RULES}. Matching is on winkNLP's lower-cased normal form of each token.
 */
import { isWordToken, type AnalyzedToken } from './tokenize';

/** One detected filler occurrence. */
export interface FillerMatch {
  /** Canonical lower-case filler phrase, e.g. `um`, `you know`, `kind of`. */
  readonly phrase: string;
  /** Indices (into the token array) of the tokens the filler covers. */
  readonly tokenIndices: readonly number[];
  /** Number of words (see `isWordToken`) the filler covers: 1 for `um`, 2 for `you know`. */
  readonly wordCount: number;
}

/** Result of {@link detectFillers}. */
export interface FillerDetection {
  /** Matches in document order. */
  readonly matches: readonly FillerMatch[];
  /** `isFiller[i]` is true when token `i` belongs to a filler. Same length as the token array. */
  readonly isFiller: readonly boolean[];
  /** Total words covered by fillers (sum of `wordCount`). */
  readonly fillerWordCount: number;
}

interface RuleContext {
  readonly tokens: readonly AnalyzedToken[];
  /** index of the first token of the candidate match */
  readonly start: number;
  /** index one past the last token of the candidate match */
  readonly end: number;
}

interface FillerRule {
  readonly words: readonly string[];
  readonly when: (ctx: RuleContext) => boolean;
}

/** Vocalised pauses: always fillers. */
const VOCALISED_PAUSES = ['um', 'umm', 'uh', 'uhh', 'uhm', 'erm', 'er', 'ah', 'hmm', 'hm', 'mm', 'mhm'];
/** Hedging adverbs that carry no content in interview answers: always fillers. */
const HEDGES = ['basically', 'literally'];
/** Words before `kind of` / `sort of` that make it a real noun phrase ("what kind of index"). */
const KIND_DETERMINERS = new Set([
  'a',
  'an',
  'the',
  'what',
  'which',
  'this',
  'that',
  'these',
  'those',
  'some',
  'any',
  'every',
  'one',
  'another',
  'different',
  'same',
  'each',
  'other',
  'no',
]);
/** POS tags after `kind of` / `sort of` that make it a real noun phrase. */
const NOMINAL_POS = new Set(['NOUN', 'PROPN', 'DET', 'PRON', 'NUM']);

function neighbour(tokens: readonly AnalyzedToken[], index: number, step: -1 | 1): AnalyzedToken | undefined {
  for (let i = index + step; i >= 0 && i < tokens.length; i += step) {
    const t = tokens[i];
    if (t.kind !== 'other') return t;
  }
  return undefined;
}

const always = (): boolean => true;
const isComma = (t: AnalyzedToken | undefined): boolean => t?.kind === 'punctuation' && t.text === ',';
const isPunctOrEnd = (t: AnalyzedToken | undefined): boolean => t === undefined || t.kind === 'punctuation';

/**
 * The filler rules, longest phrases first (a token belongs to at most one match):
 * - vocalised pauses `um, umm, uh, uhh, uhm, erm, er, ah, hmm, hm, mm, mhm` and hedges
 *   `basically, literally`: always;
 * - `you know what I mean`: always; `you know`: when followed by punctuation or the end of text
 *   ("…, you know, …" but not "do you know the CAP theorem");
 * - `I mean`: when followed by punctuation;
 * - `like`: when next to a comma (", like," / "like, …") or right after a form of *be* and not
 *   tagged VERB ("it's like hard"); not in "I like Go" or "something like 200 ms";
 * - `kind of` / `sort of`: unless preceded by a determiner-like word ("what kind of") or followed by a
 *   noun, pronoun, determiner or number ("kind of index");
 * - vague extenders `and stuff`, `or something like that`, `or something`, `or whatever`,
 *   `and everything`, `and things like that`: always.
 */
export const FILLER_RULES: readonly FillerRule[] = [
  { words: ['you', 'know', 'what', 'i', 'mean'], when: always },
  { words: ['and', 'things', 'like', 'that'], when: always },
  { words: ['or', 'something', 'like', 'that'], when: always },
  { words: ['you', 'know'], when: ({ tokens, end }) => isPunctOrEnd(neighbour(tokens, end - 1, 1)) },
  { words: ['i', 'mean'], when: ({ tokens, end }) => isPunctOrEnd(neighbour(tokens, end - 1, 1)) },
  ...['kind', 'sort'].map((head) => ({
    words: [head, 'of'],
    when: ({ tokens, start, end }: RuleContext): boolean => {
      const before = neighbour(tokens, start, -1);
      const after = neighbour(tokens, end - 1, 1);
      if (before !== undefined && (before.pos === 'DET' || KIND_DETERMINERS.has(before.normal))) return false;
      return after === undefined || !NOMINAL_POS.has(after.pos);
    },
  })),
  { words: ['and', 'stuff'], when: always },
  { words: ['or', 'something'], when: always },
  { words: ['or', 'whatever'], when: always },
  { words: ['and', 'everything'], when: always },
  {
    words: ['like'],
    when: ({ tokens, start }) => {
      const before = neighbour(tokens, start, -1);
      const after = neighbour(tokens, start, 1);
      if (isComma(before) || isComma(after)) return true;
      return before?.lemma === 'be' && tokens[start].pos !== 'VERB';
    },
  },
  ...[...VOCALISED_PAUSES, ...HEDGES].map((w) => ({ words: [w], when: always })),
];

/** Matches `rule.words` against word tokens starting at `start`; returns the end index or -1. */
function matchWords(tokens: readonly AnalyzedToken[], start: number, words: readonly string[]): number {
  let i = start;
  for (const word of words) {
    // skip nothing inside a phrase except line breaks/emoji ('other')
    while (i < tokens.length && tokens[i].kind === 'other') i += 1;
    if (i === tokens.length) return -1; // the text ends before the phrase does
    const t = tokens[i];
    if (t.kind !== 'word' || t.normal !== word) return -1;
    i += 1;
  }
  return i;
}

/**
 * Finds filler words/phrases in `tokens` (left to right, first matching rule of
 * {@link FILLER_RULES} wins, no overlaps). Deterministic.
 */
export function detectFillers(tokens: readonly AnalyzedToken[]): FillerDetection {
  const isFiller = new Array<boolean>(tokens.length).fill(false);
  const matches: FillerMatch[] = [];
  let fillerWordCount = 0;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i];
    if (token.kind !== 'word') {
      i += 1;
      continue;
    }
    let matchedEnd = -1;
    let phrase = '';
    for (const rule of FILLER_RULES) {
      if (rule.words[0] !== token.normal) continue;
      const end = matchWords(tokens, i, rule.words);
      if (end > 0 && rule.when({ tokens, start: i, end })) {
        matchedEnd = end;
        phrase = rule.words.join(' ');
        break;
      }
    }
    if (matchedEnd < 0) {
      i += 1;
      continue;
    }
    const tokenIndices: number[] = [];
    let words = 0;
    for (let k = i; k < matchedEnd; k += 1) {
      const t = tokens[k];
      if (t.kind === 'other') continue;
      isFiller[k] = true;
      tokenIndices.push(k);
      if (isWordToken(t)) words += 1;
    }
    matches.push({ phrase, tokenIndices, wordCount: words });
    fillerWordCount += words;
    i = matchedEnd;
  }
  return { matches, isFiller, fillerWordCount };
}
