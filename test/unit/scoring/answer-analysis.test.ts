import { analyzeAnswer, InvalidAnswerError, measureAnswer, ScoringInputError } from '../../../src/services/scoring/domain';
import { HASH_MAP_GOOD, HASH_MAP_QUESTION, HASH_MAP_RAMBLING, INCIDENT_GOOD, INCIDENT_QUESTION, INCIDENT_VAGUE, OFF_TOPIC } from './transcripts';

const analyze = (question: string, answer: string, category = 'technical') => analyzeAnswer({ question, answer, category });

describe('analyzeAnswer — relevance', () => {
  it('scores a relevant, specific answer above an off-topic one', () => {
    const good = analyze(HASH_MAP_QUESTION, HASH_MAP_GOOD);
    const offTopic = analyze(HASH_MAP_QUESTION, OFF_TOPIC);
    expect(good.relevanceScore).toBeGreaterThanOrEqual(70);
    expect(offTopic.relevanceScore).toBeLessThan(20);
    expect(good.relevanceScore - offTopic.relevanceScore).toBeGreaterThan(50);
  });

  it('credits related terms: an incident story is relevant to the debugging question, a hash-map answer is not', () => {
    const story = analyze(INCIDENT_QUESTION, INCIDENT_GOOD, 'behavioral');
    const wrongTopic = analyze(INCIDENT_QUESTION, HASH_MAP_GOOD, 'behavioral');
    expect(story.relevanceScore).toBeGreaterThan(60);
    expect(wrongTopic.relevanceScore).toBeLessThan(20);
  });

  it('scores a very short answer low even when on topic', () => {
    const vague = analyze(INCIDENT_QUESTION, INCIDENT_VAGUE, 'behavioral');
    const full = analyze(INCIDENT_QUESTION, INCIDENT_GOOD, 'behavioral');
    expect(vague.relevanceScore).toBeLessThan(30);
    expect(full.relevanceScore).toBeGreaterThan(vague.relevanceScore + 40);
  });

  it('reports the question terms the answer missed', () => {
    const m = measureAnswer({ question: HASH_MAP_QUESTION, answer: OFF_TOPIC, category: 'technical' });
    expect(m.relevance.missingTerms).toEqual(['collision', 'handle', 'hash', 'map']);
    expect(m.relevance.coverage).toBe(0);
  });
});

describe('analyzeAnswer — clarity', () => {
  it('scores a rambling, filler-laden answer lower than a crisp one', () => {
    const crisp = measureAnswer({ question: HASH_MAP_QUESTION, answer: HASH_MAP_GOOD, category: 'technical' });
    const rambling = measureAnswer({ question: HASH_MAP_QUESTION, answer: HASH_MAP_RAMBLING, category: 'technical' });
    expect(crisp.analysis.clarityScore).toBeGreaterThanOrEqual(80);
    expect(rambling.analysis.clarityScore).toBeLessThan(30);
    expect(rambling.clarity.fillerRatio).toBeGreaterThan(0.2);
    expect(crisp.clarity.fillerRatio).toBe(0);
    expect(rambling.clarity.repetitionRate).toBeGreaterThan(crisp.clarity.repetitionRate);
  });
});

describe('analyzeAnswer — depth', () => {
  it('scores a specific answer (numbers, tools, causes) above a vague one', () => {
    const specific = measureAnswer({ question: INCIDENT_QUESTION, answer: INCIDENT_GOOD, category: 'behavioral' });
    const vague = measureAnswer({ question: INCIDENT_QUESTION, answer: INCIDENT_VAGUE, category: 'behavioral' });
    expect(specific.analysis.depthScore).toBeGreaterThanOrEqual(80);
    expect(vague.analysis.depthScore).toBeLessThan(20);
    expect(specific.depth.evidence).toEqual(expect.arrayContaining(['502', 'grafana', 'postgres']));
    expect(specific.depth.technicalTerms).toEqual(expect.arrayContaining(['latency', 'p99', 'api']));
    expect(specific.depth.reasoningMarkers).toBeGreaterThanOrEqual(2); // "root cause", "we measured"
  });

  it('gives the filler-laden answer less depth than the specific one on the same question', () => {
    expect(analyze(HASH_MAP_QUESTION, HASH_MAP_RAMBLING).depthScore).toBeLessThan(analyze(HASH_MAP_QUESTION, HASH_MAP_GOOD).depthScore - 40);
  });
});

describe('analyzeAnswer — keywords', () => {
  it('returns the expected content lemmas, at most 8', () => {
    const { keywords } = analyze(HASH_MAP_QUESTION, HASH_MAP_GOOD);
    expect(keywords.length).toBeLessThanOrEqual(8);
    expect(keywords).toEqual(expect.arrayContaining(['bucket', 'hash', 'map', 'key', 'entry']));
    expect(keywords).not.toContain('the');
    expect(keywords[0]).toBe('bucket'); // "bucket" occurs 4 times, more than any other lemma
  });

  it('breaks frequency ties alphabetically', () => {
    const { keywords } = analyze('Which tools did you use?', 'Redis cache. Kafka queue. Postgres database.');
    expect(keywords).toEqual(['cache', 'database', 'kafka', 'postgres', 'queue', 'redis']);
  });

  it('never returns fillers as keywords', () => {
    const { keywords } = analyze(HASH_MAP_QUESTION, HASH_MAP_RAMBLING);
    expect(keywords).not.toEqual(expect.arrayContaining(['um']));
    expect(keywords).not.toContain('basically');
    expect(keywords).toEqual(expect.arrayContaining(['collision', 'hash', 'map']));
  });
});

describe('analyzeAnswer — feedback', () => {
  it('praises a strong answer and names the missing terms of an off-topic one', () => {
    expect(analyze(HASH_MAP_QUESTION, HASH_MAP_GOOD).feedback).toBe('Relevant and specific, and clearly delivered.');
    const offTopic = analyze(HASH_MAP_QUESTION, OFF_TOPIC).feedback;
    expect(offTopic).toMatch(/^Mostly off-topic and lacking detail; consider addressing the question's key terms \('collision', 'handle', 'hash'\)/);
  });

  it('suggests fewer filler words for the rambling answer', () => {
    expect(analyze(HASH_MAP_QUESTION, HASH_MAP_RAMBLING).feedback).toContain('using fewer filler words');
  });
});

describe('analyzeAnswer — determinism and ranges', () => {
  it('returns identical output for identical input', () => {
    for (const answer of [HASH_MAP_GOOD, HASH_MAP_RAMBLING, OFF_TOPIC, INCIDENT_GOOD, '']) {
      const a = analyze(HASH_MAP_QUESTION, answer);
      const b = analyze(HASH_MAP_QUESTION, answer);
      expect(b).toEqual(a);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });

  it('keeps every score within 0..100 with one decimal', () => {
    for (const answer of [HASH_MAP_GOOD, HASH_MAP_RAMBLING, OFF_TOPIC, INCIDENT_GOOD, INCIDENT_VAGUE, 'Yes.', 'um uh um']) {
      const r = analyze(INCIDENT_QUESTION, answer, 'behavioral');
      for (const score of [r.relevanceScore, r.clarityScore, r.depthScore]) {
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100);
        expect(Math.round(score * 10) / 10).toBe(score);
      }
    }
  });
});

describe('analyzeAnswer — empty answer and bad input', () => {
  it.each(['', '   \n\t ', '...'])('scores an empty answer %j as zeros with "no answer" feedback', (answer) => {
    expect(analyze(HASH_MAP_QUESTION, answer)).toEqual({
      relevanceScore: 0,
      clarityScore: 0,
      depthScore: 0,
      keywords: [],
      feedback: 'No answer was given.',
    });
  });

  it.each(['', '   ', '\n'])('throws InvalidAnswerError for question %j', (question) => {
    let caught: unknown;
    try {
      analyze(question, HASH_MAP_GOOD);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidAnswerError);
    expect(caught).toBeInstanceOf(ScoringInputError);
    expect((caught as InvalidAnswerError).field).toBe('question');
    expect((caught as InvalidAnswerError).message).toBe('question is required');
  });

  it('rejects a non-string answer with field "answer"', () => {
    expect(() => analyzeAnswer({ question: HASH_MAP_QUESTION, answer: 42 as unknown as string, category: 'technical' })).toThrow(
      // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- @types/jest types expect.objectContaining() as any and leaves asymmetric matchers (which jest's toThrow accepts) out of toThrow's parameter
      expect.objectContaining({ name: 'InvalidAnswerError', field: 'answer' }),
    );
  });
});
