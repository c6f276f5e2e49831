import { analyzeAnswer, buildReport, calculateScores, EmotionSample, InvalidScoreInputError, ScoredAnswer } from '../../../src/services/scoring/domain';
import { testEncoder } from '../../support/text-model';
import { HASH_MAP_GOOD, HASH_MAP_QUESTION, INCIDENT_GOOD, INCIDENT_QUESTION } from './transcripts';

const scored = async (questionId: string, question: string, transcript: string, category: string, durationSeconds: number): Promise<ScoredAnswer> => ({
  questionId,
  question,
  category,
  transcript,
  durationSeconds,
  analysis: await analyzeAnswer({ question, answer: transcript, category }, await testEncoder()),
});

let ANSWERS: ScoredAnswer[];
beforeAll(async () => {
  ANSWERS = [await scored('q1', HASH_MAP_QUESTION, HASH_MAP_GOOD, 'technical', 40), await scored('q2', INCIDENT_QUESTION, INCIDENT_GOOD, 'behavioral', 0)];
});

// deliberately out of time order
const EMOTIONS: EmotionSample[] = [
  { timestampMs: 2000, faceDetected: true, emotion: 'happy', confidence: 0.7, blinkCount: 1 },
  { timestampMs: 1000, faceDetected: true, emotion: 'Neutral', confidence: 0.9, blinkCount: 0 },
  { timestampMs: 3000, faceDetected: false, emotion: null, confidence: 0, blinkCount: null },
  { timestampMs: 4000, faceDetected: true, emotion: 'contempt', confidence: 0.4, blinkCount: 2 },
];

const GENERATED_AT = new Date('2025-03-14T09:30:00.000Z');

function report(includeEmotions: boolean, emotions: EmotionSample[] = EMOTIONS) {
  const scoreCard = calculateScores({ answers: ANSWERS, emotions, totalQuestions: 2 });
  return {
    scoreCard,
    report: buildReport({ sessionId: 'session-42', scoreCard, answers: ANSWERS, emotions, includeEmotions, generatedAt: GENERATED_AT }),
  };
}

describe('buildReport', () => {
  it('is a plain JSON-serialisable object with schemaVersion 1', () => {
    const { report: r } = report(true);
    expect(r.schemaVersion).toBe(1);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.generatedAt).toBe('2025-03-14T09:30:00.000Z');
    expect(r.sessionId).toBe('session-42');
  });

  it('copies the score card and the weights applied', () => {
    const { report: r, scoreCard } = report(true);
    expect(r.scores).toEqual({
      technical: scoreCard.technicalScore,
      communication: scoreCard.communicationScore,
      emotion: scoreCard.emotionScore,
      overall: scoreCard.overallScore,
    });
    expect(r.weights).toEqual({ technical: 0.5, communication: 0.3, emotion: 0.2 });
    expect(r.feedback).toBe(scoreCard.feedback);
    expect(r.insights).toEqual(scoreCard.insights);
  });

  it('includes the per-answer analysis with word count and speaking rate', () => {
    const { report: r } = report(false);
    expect(r.answers.map((a) => a.questionId)).toEqual(['q1', 'q2']);
    const [first, second] = r.answers;
    expect(first.relevanceScore).toBe(ANSWERS[0].analysis.relevanceScore);
    expect(first.keywords).toEqual(ANSWERS[0].analysis.keywords);
    expect(first.wordCount).toBeGreaterThan(80);
    expect(first.wordsPerMinute).toBeCloseTo((first.wordCount / 40) * 60, 1);
    expect(second.wordsPerMinute).toBeNull(); // duration 0
  });

  it('summarises emotions: counts per FER-2013 label, face share, unrecognised labels', () => {
    const { report: r } = report(false);
    expect(r.emotionSummary).toEqual({
      sampleCount: 4,
      faceDetectedCount: 3,
      facePresentShare: 0.75,
      countsByEmotion: { angry: 0, disgust: 0, fear: 0, happy: 1, sad: 0, surprise: 0, neutral: 1 },
      unrecognisedCount: 1,
      dominantEmotion: 'happy',
      positiveOrNeutralShare: 1,
      timeline: null,
    });
  });

  it('adds a time-ordered timeline only when includeEmotions is set', () => {
    const { report: r } = report(true);
    expect(r.emotionSummary.timeline?.map((p) => p.timestampMs)).toEqual([1000, 2000, 3000, 4000]);
    expect(r.emotionSummary.timeline?.[0]).toEqual({ timestampMs: 1000, faceDetected: true, emotion: 'neutral', confidence: 0.9, blinkCount: 0 });
    expect(r.emotionSummary.timeline?.[3]?.emotion).toBeNull(); // 'contempt' is not a FER-2013 label
  });

  it('reports renormalised weights and a null face share without samples', () => {
    const { report: r } = report(true, []);
    expect(r.weights).toEqual({ technical: 0.625, communication: 0.375, emotion: 0 });
    expect(r.emotionSummary.facePresentShare).toBeNull();
    expect(r.emotionSummary.dominantEmotion).toBeNull();
    expect(r.emotionSummary.timeline).toEqual([]);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(report(true).report)).toBe(JSON.stringify(report(true).report));
  });

  it('rejects a blank session id and an invalid date', () => {
    const { scoreCard } = report(false);
    const base = { scoreCard, answers: ANSWERS, emotions: EMOTIONS, includeEmotions: false };
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- @types/jest types expect.objectContaining() as any and leaves asymmetric matchers (which jest's toThrow accepts) out of toThrow's parameter
    expect(() => buildReport({ ...base, sessionId: ' ', generatedAt: GENERATED_AT })).toThrow(expect.objectContaining({ field: 'sessionId' }));
    expect(() => buildReport({ ...base, sessionId: 's', generatedAt: new Date('nope') })).toThrow(InvalidScoreInputError);
  });
});
