import { calculateScores, EmotionSample, InvalidScoreInputError, OVERALL_WEIGHTS, overallWeights, ScoredAnswer } from '../../../src/services/scoring/domain';

/** 13 words; repeated 10 times = 130 words. */
const SENTENCE = 'The service stores each session in Redis and expires it after thirty minutes. ';

function answer(id: string, transcript: string, durationSeconds: number, scores: { relevance: number; clarity: number; depth: number }): ScoredAnswer {
  return {
    questionId: id,
    question: 'How would you store user sessions for a web application?',
    category: 'system-design',
    transcript,
    durationSeconds,
    analysis: {
      relevanceScore: scores.relevance,
      clarityScore: scores.clarity,
      depthScore: scores.depth,
      keywords: ['session', 'redis'],
      feedback: 'Relevant and specific.',
    },
  };
}

const frame = (i: number, faceDetected: boolean, emotion: string | null, confidence: number): EmotionSample => ({
  timestampMs: i * 500,
  faceDetected,
  emotion,
  confidence,
  blinkCount: null,
});

// A: 130 words in 60 s = 130 wpm (inside 120–160 → rate component 1)
// B: 13 words, duration 0 → speaking rate not measurable → communication = clarity
const ANSWERS = [
  answer('q1', SENTENCE.repeat(10), 60, { relevance: 80, clarity: 70, depth: 60 }),
  answer('q2', SENTENCE, 0, { relevance: 50, clarity: 80, depth: 30 }),
];

// 10 frames: 2 without a face; 4 neutral @0.9, 2 happy @0.5, 2 sad @0.8
const EMOTIONS: EmotionSample[] = [
  frame(0, true, 'neutral', 0.9),
  frame(1, true, 'neutral', 0.9),
  frame(2, false, null, 0),
  frame(3, true, 'happy', 0.5),
  frame(4, true, 'sad', 0.8),
  frame(5, true, 'neutral', 0.9),
  frame(6, false, null, 0),
  frame(7, true, 'happy', 0.5),
  frame(8, true, 'sad', 0.8),
  frame(9, true, 'neutral', 0.9),
];

describe('calculateScores — documented formulas, computed by hand', () => {
  const card = calculateScores({ answers: ANSWERS, emotions: EMOTIONS, totalQuestions: 3 });

  it('technical = mean over all questions of 0.4·relevance + 0.6·depth, unanswered = 0', () => {
    // q1: 0.4·80 + 0.6·60 = 68; q2: 0.4·50 + 0.6·30 = 38; q3 unanswered: 0 → 106 / 3 = 35.33
    expect(card.technicalScore).toBe(35.3);
  });

  it('communication = mean of 0.7·clarity + 0.3·rate, clarity alone without a measurable rate', () => {
    // q1: 0.7·70 + 0.3·100 = 79; q2: 80 → (79 + 80) / 2 = 79.5
    expect(card.communicationScore).toBe(79.5);
  });

  it('emotion = 100·(0.4·presence + 0.6·confidence-weighted positive/neutral share)', () => {
    // presence 8/10; positive/neutral = (4·0.9 + 2·0.5) / (4·0.9 + 2·0.5 + 2·0.8) = 4.6 / 6.2
    const expected = 100 * (0.4 * 0.8 + 0.6 * (4.6 / 6.2)); // 76.516…
    expect(card.emotionScore).toBe(76.5);
    expect(card.emotionScore).toBeCloseTo(expected, 1);
  });

  it('overall = 0.5·technical + 0.3·communication + 0.2·emotion', () => {
    expect(OVERALL_WEIGHTS).toEqual({ technical: 0.5, communication: 0.3, emotion: 0.2 });
    // 0.5·35.3 + 0.3·79.5 + 0.2·76.5 = 17.65 + 23.85 + 15.3 = 56.8
    expect(card.overallScore).toBe(56.8);
  });

  it('produces data-backed insights in category order', () => {
    const categories = card.insights.map((i) => i.category);
    expect(categories).toEqual([...categories].sort((a, b) => order(a) - order(b)));
    expect(card.insights).toContainEqual({
      category: 'technical',
      description: '1 of 3 questions were not answered; each counts as 0 in the technical score.',
      impact: -0.33,
      evidence: ['1 of 3 questions without an answer'],
    });
    expect(card.insights).toContainEqual({
      category: 'engagement',
      description: 'No face detected in 2 of 10 frames (looked away or out of the camera view).',
      impact: -0.2,
      evidence: ['8 of 10 frames with a face'],
    });
    const shallow = card.insights.find((i) => i.description.includes('lacked specifics'));
    expect(shallow?.description).toMatch(/^1 of 2 answers lacked specifics/);
    for (const insight of card.insights) {
      expect(insight.impact).toBeGreaterThanOrEqual(-1);
      expect(insight.impact).toBeLessThanOrEqual(1);
    }
  });

  it('summarises the scores in the feedback', () => {
    expect(card.feedback).toBe('Overall 56.8/100: technical 35.3 (weak), communication 79.5 (strong), emotion 76.5 (strong). Focus next on technical.');
  });
});

function order(category: string): number {
  return ['technical', 'communication', 'emotion', 'engagement'].indexOf(category);
}

describe('calculateScores — no emotion samples', () => {
  const card = calculateScores({ answers: ANSWERS, emotions: [], totalQuestions: 3 });

  it('sets emotionScore to 0 and says no video frames were analyzed', () => {
    expect(card.emotionScore).toBe(0);
    const insight = card.insights.find((i) => i.category === 'emotion');
    expect(insight).toEqual({
      category: 'emotion',
      description:
        'No video frames were analyzed; the emotion score is 0 and is left out of the overall score ' +
        '(weights renormalised to technical 62.5%, communication 37.5%).',
      impact: 0,
      evidence: ['0 video frames analysed'],
    });
    expect(card.insights.some((i) => i.category === 'engagement')).toBe(false);
  });

  it('renormalises the weights to technical 0.625 and communication 0.375', () => {
    expect(overallWeights(false)).toEqual({ technical: 0.625, communication: 0.375, emotion: 0 });
    // 0.625·35.3 + 0.375·79.5 = 22.0625 + 29.8125 = 51.875 → 51.9
    expect(card.overallScore).toBe(51.9);
    expect(card.feedback).toContain('No video frames were analyzed');
  });
});

describe('calculateScores — edge cases', () => {
  it('is deterministic', () => {
    const input = { answers: ANSWERS, emotions: EMOTIONS, totalQuestions: 3 };
    expect(calculateScores(input)).toEqual(calculateScores(input));
  });

  it('scores a session without answers as zeros', () => {
    const card = calculateScores({ answers: [], emotions: [], totalQuestions: 0 });
    expect([card.technicalScore, card.communicationScore, card.emotionScore, card.overallScore]).toEqual([0, 0, 0, 0]);
    expect(card.feedback).toContain('No answers were given.');
  });

  it('uses face presence only when faces were seen but never classified', () => {
    const samples = [frame(0, true, null, 0), frame(1, true, null, 0), frame(2, false, null, 0), frame(3, true, null, 0)];
    const card = calculateScores({ answers: ANSWERS, emotions: samples, totalQuestions: 2 });
    expect(card.emotionScore).toBe(75);
    expect(card.insights.find((i) => i.category === 'emotion')?.description).toContain('face presence only');
  });

  it('flags negative expressions when they dominate', () => {
    const samples = [frame(0, true, 'fear', 0.9), frame(1, true, 'sad', 0.9), frame(2, true, 'neutral', 0.6)];
    const card = calculateScores({ answers: ANSWERS, emotions: samples, totalQuestions: 2 });
    // presence 1, positive/neutral = 0.6 / 2.4 = 0.25 → 100·(0.4 + 0.15) = 55
    expect(card.emotionScore).toBe(55);
    const insight = card.insights.find((i) => i.category === 'emotion');
    expect(insight?.description).toMatch(/^Negative expressions \(fear, sad\) made up 75% of 3 classified frames/);
    expect(insight?.impact).toBe(-0.75);
  });

  it('reports a speaking rate outside the conversational band', () => {
    // 130 words in 30 s = 260 wpm
    const fast = [answer('q1', SENTENCE.repeat(10), 30, { relevance: 80, clarity: 70, depth: 60 })];
    const card = calculateScores({ answers: fast, emotions: [], totalQuestions: 1 });
    // rate component 0 → communication = 0.7·70 = 49
    expect(card.communicationScore).toBe(49);
    expect(card.insights).toContainEqual(
      expect.objectContaining<Record<string, unknown>>({
        category: 'communication',
        description: expect.stringMatching(/^Spoke at 260 words per minute on average, faster than the 120–160 wpm/),
        impact: -1,
      }),
    );
  });

  it('reports answers much shorter than expected', () => {
    const card = calculateScores({ answers: [ANSWERS[1]], emotions: [], totalQuestions: 1 });
    expect(card.insights).toContainEqual({
      category: 'communication',
      description: 'Answers averaged 13 words, 91% shorter than the ~150 words (about one minute of speech) expected.',
      impact: -0.91,
      evidence: ['mean 13 words over 1 answer, against ~150 expected'],
    });
  });

  it.each([
    [{ answers: ANSWERS, emotions: EMOTIONS, totalQuestions: -1 }, 'totalQuestions'],
    [{ answers: ANSWERS, emotions: EMOTIONS, totalQuestions: 1.5 }, 'totalQuestions'],
    [{ answers: [{ ...ANSWERS[0], durationSeconds: -5 }], emotions: [], totalQuestions: 1 }, 'answers[0].durationSeconds'],
    [{ answers: [], emotions: [frame(0, true, 'happy', 1.5)], totalQuestions: 0 }, 'emotions[0].confidence'],
  ])('rejects invalid input (%#) with InvalidScoreInputError on %s', (input, field) => {
    expect(() => calculateScores(input)).toThrow(InvalidScoreInputError);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- @types/jest types expect.objectContaining() as any and leaves asymmetric matchers (which jest's toThrow accepts) out of toThrow's parameter
    expect(() => calculateScores(input)).toThrow(expect.objectContaining({ field }));
  });
});
