import { analyzeAnswer, InvalidAnswerError, measureAnswer, ScoringInputError } from '../../../src/services/scoring/domain';
import type { AnswerInput } from '../../../src/services/scoring/domain/answer-analysis';
import { testEncoder } from '../../support/text-model';
import { HASH_MAP_GOOD, HASH_MAP_QUESTION, HASH_MAP_RAMBLING, INCIDENT_GOOD, INCIDENT_QUESTION, INCIDENT_VAGUE, OFF_TOPIC } from './transcripts';

const analyze = async (question: string, answer: string, category = 'technical') => analyzeAnswer({ question, answer, category }, await testEncoder());
const measure = async (input: AnswerInput) => measureAnswer(input, await testEncoder());

describe('analyzeAnswer — relevance', () => {
  it('scores a relevant, specific answer above an off-topic one', async () => {
    const good = await analyze(HASH_MAP_QUESTION, HASH_MAP_GOOD);
    const offTopic = await analyze(HASH_MAP_QUESTION, OFF_TOPIC);
    expect(good.relevanceScore).toBeGreaterThanOrEqual(70);
    expect(offTopic.relevanceScore).toBeLessThan(20);
    expect(good.relevanceScore - offTopic.relevanceScore).toBeGreaterThan(50);
  });

  it('judges meaning, not shared words: an incident story is relevant to the debugging question, a hash-map answer is not', async () => {
    const story = await analyze(INCIDENT_QUESTION, INCIDENT_GOOD, 'behavioral');
    const wrongTopic = await analyze(INCIDENT_QUESTION, HASH_MAP_GOOD, 'behavioral');
    expect(story.relevanceScore).toBeGreaterThan(40);
    expect(wrongTopic.relevanceScore).toBeLessThan(10);
  });

  it('scores a very short answer low even when on topic', async () => {
    const vague = await analyze(INCIDENT_QUESTION, INCIDENT_VAGUE, 'behavioral');
    const full = await analyze(INCIDENT_QUESTION, INCIDENT_GOOD, 'behavioral');
    expect(vague.relevanceScore).toBeLessThan(30);
    expect(full.relevanceScore).toBeGreaterThan(vague.relevanceScore + 15);
  });

  it("gives an answer in its own words more than one that borrows the question's words for another subject", async () => {
    const ownWords = await analyze(
      HASH_MAP_QUESTION,
      'Each key goes through a hash function that picks a bucket. When two keys land in one bucket, the table either chains them in a small list or probes for the next free slot. While the load factor stays low and the table resizes in time, finding a key takes constant time on average.',
    );
    const borrowed = await analyze(
      HASH_MAP_QUESTION,
      'Our hash of the office map showed collisions between meetings, so we handled them by booking rooms earlier and moving the team lunch to Fridays.',
    );
    expect(ownWords.relevanceScore).toBeGreaterThan(borrowed.relevanceScore + 30);
  });

  it('caps keyword stuffing and restating the question, and says so', async () => {
    const stuffed = await measure({
      question: HASH_MAP_QUESTION,
      answer:
        'Hash map collisions. Collisions in a hash map. Hash map, hash, map, collisions, handle collisions, hash map handles collisions, collisions, hash map.',
      category: 'technical',
    });
    expect(stuffed.relevance.patterns.keywordStuffing).toBe(true);
    expect(stuffed.analysis.relevanceScore).toBeLessThanOrEqual(25);
    expect(stuffed.analysis.feedback).toMatch(/^Repeats key terms and .*rather than repeating key terms/);
    const restated = await measure({
      question: HASH_MAP_QUESTION,
      answer: 'So the question is how a hash map handles collisions. That is a good question about how hash maps deal with them.',
      category: 'technical',
    });
    expect(restated.relevance.patterns.restatesQuestion).toBe(true);
    expect(restated.analysis.relevanceScore).toBeLessThanOrEqual(25);
    expect(restated.analysis.feedback).toMatch(/^Restates the question and .*rather than restating it/);
  });
});

describe('analyzeAnswer — clarity', () => {
  it('scores a rambling, filler-laden answer lower than a crisp one', async () => {
    const crisp = await measure({ question: HASH_MAP_QUESTION, answer: HASH_MAP_GOOD, category: 'technical' });
    const rambling = await measure({ question: HASH_MAP_QUESTION, answer: HASH_MAP_RAMBLING, category: 'technical' });
    expect(crisp.analysis.clarityScore).toBeGreaterThanOrEqual(80);
    expect(rambling.analysis.clarityScore).toBeLessThan(30);
    expect(rambling.clarity.fillerRatio).toBeGreaterThan(0.2);
    expect(crisp.clarity.fillerRatio).toBe(0);
    expect(rambling.clarity.repetitionRate).toBeGreaterThan(crisp.clarity.repetitionRate);
  });
});

describe('analyzeAnswer — depth', () => {
  it('scores a specific answer (numbers, tools, causes) above a vague one', async () => {
    const specific = await measure({ question: INCIDENT_QUESTION, answer: INCIDENT_GOOD, category: 'behavioral' });
    const vague = await measure({ question: INCIDENT_QUESTION, answer: INCIDENT_VAGUE, category: 'behavioral' });
    expect(specific.analysis.depthScore).toBeGreaterThanOrEqual(60);
    expect(vague.analysis.depthScore).toBeLessThan(20);
    expect(specific.depth.evidence).toEqual(expect.arrayContaining(['502', 'grafana', 'postgres']));
    expect(specific.depth.technicalTerms).toEqual(expect.arrayContaining(['latency', 'p99', 'api']));
    expect(specific.depth.reasoningMarkers).toBeGreaterThanOrEqual(2); // "root cause", "we measured"
  });

  it('gives the filler-laden answer less depth than the specific one on the same question', async () => {
    expect((await analyze(HASH_MAP_QUESTION, HASH_MAP_RAMBLING)).depthScore).toBeLessThan((await analyze(HASH_MAP_QUESTION, HASH_MAP_GOOD)).depthScore - 40);
  });

  it('gives an off-topic answer little depth, however specific', async () => {
    const onSubject = await analyze(INCIDENT_QUESTION, INCIDENT_GOOD, 'behavioral');
    const elsewhere = await analyze(HASH_MAP_QUESTION, INCIDENT_GOOD);
    expect(elsewhere.depthScore).toBeLessThan(onSubject.depthScore * 0.7);
  });
});

describe('analyzeAnswer — keywords', () => {
  it("returns the answer's own salient terms, not the question's, at most 8", async () => {
    const { keywords } = await analyze(HASH_MAP_QUESTION, HASH_MAP_GOOD);
    expect(keywords.length).toBeGreaterThan(3);
    expect(keywords.length).toBeLessThanOrEqual(8);
    expect(keywords).toEqual(expect.arrayContaining(['bucket']));
    for (const questionWord of ['hash', 'map', 'collision', 'handle']) expect(keywords).not.toContain(questionWord);
    expect(keywords).not.toContain('the');
  });

  it('never returns fillers as keywords', async () => {
    const { keywords } = await analyze(HASH_MAP_QUESTION, HASH_MAP_RAMBLING);
    expect(keywords).not.toEqual(expect.arrayContaining(['um']));
    expect(keywords).not.toContain('basically');
  });
});

describe('analyzeAnswer — feedback', () => {
  it("praises a strong answer, and tells an off-topic one it is about something else without asking for the question's words", async () => {
    expect((await analyze(HASH_MAP_QUESTION, HASH_MAP_GOOD)).feedback).toMatch(/^Relevant and specific/);
    const offTopic = (await analyze(HASH_MAP_QUESTION, OFF_TOPIC)).feedback;
    expect(offTopic).toMatch(/^Mostly off-topic and lacking detail; consider answering the question that was asked: this answer is about something else/);
    expect(offTopic).not.toMatch(/key terms|'hash'|'collision'/);
  });

  it('suggests fewer filler words for the rambling answer', async () => {
    expect((await analyze(HASH_MAP_QUESTION, HASH_MAP_RAMBLING)).feedback).toContain('using fewer filler words');
  });
});

describe('analyzeAnswer — determinism and ranges', () => {
  it('returns identical output for identical input', async () => {
    for (const answer of [HASH_MAP_GOOD, HASH_MAP_RAMBLING, OFF_TOPIC, INCIDENT_GOOD, '']) {
      const a = await analyze(HASH_MAP_QUESTION, answer);
      const b = await analyze(HASH_MAP_QUESTION, answer);
      expect(b).toEqual(a);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });

  it('keeps every score within 0..100 with one decimal', async () => {
    for (const answer of [HASH_MAP_GOOD, HASH_MAP_RAMBLING, OFF_TOPIC, INCIDENT_GOOD, INCIDENT_VAGUE, 'Yes.', 'um uh um']) {
      const r = await analyze(INCIDENT_QUESTION, answer, 'behavioral');
      for (const score of [r.relevanceScore, r.clarityScore, r.depthScore]) {
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
        expect(Math.round(score * 10) / 10).toBe(score);
      }
    }
  });
});

describe('analyzeAnswer — empty answer and bad input', () => {
  it.each(['', '   \n\t ', '...'])('scores an empty answer %j as zeros with "no answer" feedback', async (answer) => {
    expect(await analyze(HASH_MAP_QUESTION, answer)).toEqual({
      relevanceScore: 0,
      clarityScore: 0,
      depthScore: 0,
      keywords: [],
      feedback: 'No answer was given.',
    });
  });

  it.each(['', '   ', '\n'])('throws InvalidAnswerError for question %j', async (question) => {
    let caught: unknown;
    try {
      await analyze(question, HASH_MAP_GOOD);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidAnswerError);
    expect(caught).toBeInstanceOf(ScoringInputError);
    expect((caught as InvalidAnswerError).field).toBe('question');
    expect((caught as InvalidAnswerError).message).toBe('question is required');
  });

  it('rejects a non-string answer with field "answer"', async () => {
    await expect(analyzeAnswer({ question: HASH_MAP_QUESTION, answer: 42 as unknown as string, category: 'technical' }, await testEncoder())).rejects.toThrow(
      // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- @types/jest types expect.objectContaining() as any and leaves asymmetric matchers (which jest's toThrow accepts) out of toThrow's parameter
      expect.objectContaining({ name: 'InvalidAnswerError', field: 'answer' }),
    );
  });
});
