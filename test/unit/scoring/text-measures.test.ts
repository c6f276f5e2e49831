import { countRepetitions, measureClarity } from '../../../src/services/scoring/domain/clarity';
import { movingAverageTypeTokenRatio } from '../../../src/services/scoring/domain/depth';
import { bandScore } from '../../../src/services/scoring/domain/numeric';
import { rateBandPosition, speakingRateScore, wordsPerMinute } from '../../../src/services/scoring/domain/speaking-rate';
import { extractTextFeatures } from '../../../src/services/scoring/domain/text-features';
import { looksTechnical } from '../../../src/services/scoring/domain/vocabulary';

const fillerPhrases = (text: string): string[] => extractTextFeatures(text).fillers.map((f) => f.phrase);

describe('filler detection', () => {
  it('counts vocalised pauses and hedges', () => {
    expect(fillerPhrases('Um, I basically rewrote it, uh, twice.')).toEqual(['um', 'basically', 'uh']);
  });

  it('treats "like" as a filler only in filler position', () => {
    expect(fillerPhrases('I like Go.')).toEqual([]);
    expect(fillerPhrases('It took something like 200 ms.')).toEqual([]);
    expect(fillerPhrases('It was, like, really slow.')).toEqual(['like']);
    expect(fillerPhrases("It's like slow.")).toEqual(['like']);
  });

  it('treats "you know" and "I mean" as fillers only when followed by punctuation', () => {
    expect(fillerPhrases('Do you know the CAP theorem?')).toEqual([]);
    expect(fillerPhrases('It failed, you know, under load.')).toEqual(['you know']);
    expect(fillerPhrases('I mean, it worked.')).toEqual(['i mean']);
    expect(fillerPhrases('I mean what I say.')).toEqual([]);
  });

  it('distinguishes "kind of" hedges from noun phrases', () => {
    expect(fillerPhrases('What kind of index did you add?')).toEqual([]);
    expect(fillerPhrases('I kind of think the cache was stale.')).toEqual(['kind of']);
  });

  it('counts multi-word fillers by their words', () => {
    const f = extractTextFeatures('It failed, you know, and stuff.');
    expect(f.wordCount).toBe(6);
    expect(f.fillerWordCount).toBe(4);
  });
});

describe('text features', () => {
  it('counts a contraction as one word and ignores punctuation', () => {
    expect(extractTextFeatures("I don't know.").wordCount).toBe(3);
    expect(extractTextFeatures('We shipped it in 3 days, not 2!').wordCount).toBe(8);
  });

  it('handles typographic apostrophes like ASCII ones', () => {
    expect(extractTextFeatures('I’m sure it’s fine.').wordCount).toBe(extractTextFeatures("I'm sure it's fine.").wordCount);
  });

  it('excludes stop words, punctuation and fillers from content lemmas', () => {
    expect(extractTextFeatures('Um, the collisions were handled by chaining.').contentLemmas).toEqual(['collision', 'handle', 'chain']);
  });

  it('is empty for blank text', () => {
    const f = extractTextFeatures('  ');
    expect([f.wordCount, f.sentenceWordCounts.length, f.contentLemmas.length]).toEqual([0, 0, 0]);
  });
});

describe('clarity components', () => {
  it('counts immediate repeats and repeated trigrams', () => {
    expect(countRepetitions(['i', 'i', 'think', 'so'])).toBe(1);
    expect(countRepetitions(['it', 'works', 'fine', 'and', 'it', 'works', 'fine'])).toBe(1);
    expect(countRepetitions(['a', 'b', 'c', 'd'])).toBe(0);
  });

  it('penalises one run-on sentence compared with the same words in short sentences', () => {
    const sentences = [
      'We added a cache in front of the database',
      'the hit rate reached ninety percent within a week',
      'latency dropped from two hundred to forty milliseconds',
      'and the database load fell by half',
    ];
    const runOn = measureClarity(extractTextFeatures(`${sentences.join(' and ')}.`));
    const split = measureClarity(extractTextFeatures(sentences.map((s) => `${s}.`).join(' ')));
    expect(runOn.meanSentenceLength).toBeGreaterThan(30);
    expect(split.meanSentenceLength).toBeLessThanOrEqual(20);
    expect(split.score).toBeGreaterThan(runOn.score);
  });
});

describe('lexical variety (MATTR)', () => {
  it('is plain type/token ratio below the window and a moving average above it', () => {
    expect(movingAverageTypeTokenRatio(['a', 'b', 'a', 'c'], 20)).toBe(0.75);
    // windows of 2 over a a b b: [a a]=0.5, [a b]=1, [b b]=0.5 → mean 2/3
    expect(movingAverageTypeTokenRatio(['a', 'a', 'b', 'b'], 2)).toBeCloseTo(2 / 3, 10);
    expect(movingAverageTypeTokenRatio([], 20)).toBe(0);
  });
});

describe('technical-looking tokens', () => {
  it.each([
    ['p99', true],
    ['ec2', true],
    ['API', true],
    ['hashCode', true],
    ['user_id', true],
    ['OK', false],
    ['I', false],
    ['coffee', false],
  ])('%s → %s', (token, expected) => {
    expect(looksTechnical(token)).toBe(expected);
  });
});

describe('speaking rate', () => {
  it('computes words per minute and refuses unmeasurable rates', () => {
    expect(wordsPerMinute(140, 60)).toBe(140);
    expect(wordsPerMinute(70, 20)).toBe(210);
    expect(wordsPerMinute(0, 60)).toBeNull();
    expect(wordsPerMinute(100, 0)).toBeNull();
  });

  it('scores 1 inside 120–160 wpm and falls linearly to 0 at 60 and 240 wpm', () => {
    expect(speakingRateScore(120)).toBe(1);
    expect(speakingRateScore(150)).toBe(1);
    expect(speakingRateScore(160)).toBe(1);
    expect(speakingRateScore(90)).toBeCloseTo(0.5, 10);
    expect(speakingRateScore(200)).toBeCloseTo(0.5, 10);
    expect(speakingRateScore(60)).toBe(0);
    expect(speakingRateScore(300)).toBe(0);
    expect([rateBandPosition(100), rateBandPosition(140), rateBandPosition(180)]).toEqual(['slow', 'within', 'fast']);
  });

  it('uses the same trapezoid helper for sentence-length bands', () => {
    expect(bandScore(4, { zeroBelow: 0, low: 8, high: 20, zeroAbove: 40 })).toBe(0.5);
    expect(bandScore(30, { zeroBelow: 0, low: 8, high: 20, zeroAbove: 40 })).toBe(0.5);
  });
});
