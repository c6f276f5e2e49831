import type { JsonValue } from '@bufbuild/protobuf';
import { InterviewCompleted } from '../../../src/gen/events';
import { reportJson } from '../../../src/platform/contracts/report-json';
import { analyzeAnswer, calculateScoreBreakdown, EmotionSample, ScoredAnswer } from '../../../src/services/scoring/domain';
import { blinkRate, CONVERSATIONAL_BLINK_RATE } from '../../../src/services/scoring/domain/blink-rate';
import { buildReport, REPORT_SCHEMA_VERSION, withoutTimeline } from '../../../src/services/scoring/report/build-report';
import { testEncoder } from '../../support/text-model';
import { HASH_MAP_GOOD, HASH_MAP_QUESTION, INCIDENT_GOOD, INCIDENT_QUESTION } from './transcripts';

const START = Date.UTC(2025, 2, 14, 9, 30);

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
  { timestampMs: START + 2000, faceDetected: true, emotion: 'happy', confidence: 0.7, blinkCount: 1 },
  { timestampMs: START + 1000, faceDetected: true, emotion: 'Neutral', confidence: 0.9, blinkCount: 0 },
  { timestampMs: START + 3000, faceDetected: false, emotion: null, confidence: 0, blinkCount: null },
  { timestampMs: START + 4000, faceDetected: true, emotion: 'contempt', confidence: 0.4, blinkCount: 2 },
];

function completion(): InterviewCompleted {
  return InterviewCompleted.fromPartial({
    sessionId: '5b7f3c8e-2d4a-4e6b-9c1d-0a2b3c4d5e6f',
    userId: 'candidate-7',
    startedAt: new Date(START),
    completedAt: new Date(START + 120_000),
    totalQuestions: 3,
    answers: [
      { questionId: 'q1', answeredAt: new Date(START + 50_000) },
      { questionId: 'q2', answeredAt: new Date(START + 100_000) },
    ],
  });
}

function report(emotions: EmotionSample[] = EMOTIONS) {
  const breakdown = calculateScoreBreakdown({ answers: ANSWERS, emotions, totalQuestions: 3 });
  return { breakdown, report: buildReport({ completed: completion(), answers: ANSWERS, emotions, breakdown }) };
}

describe('buildReport (interview.report.v1.InterviewReport)', () => {
  it('names the interview, its candidate, its times and its schema', () => {
    const { report: r } = report();
    expect(r.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(r).toMatchObject({ sessionId: '5b7f3c8e-2d4a-4e6b-9c1d-0a2b3c4d5e6f', candidateId: 'candidate-7', totalQuestions: 3 });
    expect(r.startedAt).toEqual(new Date(START));
    expect(r.completedAt).toEqual(new Date(START + 120_000));
  });

  it('copies the score card, its weights and insights with their evidence', () => {
    const { report: r, breakdown } = report();
    const card = breakdown.scoreCard;
    expect(r.scores).toEqual({
      technical: card.technicalScore,
      communication: card.communicationScore,
      emotion: card.emotionScore,
      overall: card.overallScore,
    });
    expect(r.weights).toEqual({ technical: 0.5, communication: 0.3, emotion: 0.2 });
    expect(r.feedback).toBe(card.feedback);
    expect(r.insights.map((i) => i.description)).toEqual(card.insights.map((i) => i.description));
    for (const insight of r.insights) expect(insight.evidence.length).toBeGreaterThan(0);
  });

  it('gives each answer its analysis, speaking rate, share of the scores and time', () => {
    const { report: r, breakdown } = report();
    const [first, second] = r.answers;
    expect(r.answers.map((a) => a.questionId)).toEqual(['q1', 'q2']);
    expect(first.relevanceScore).toBe(ANSWERS[0].analysis.relevanceScore);
    expect(first.keywords).toEqual(ANSWERS[0].analysis.keywords);
    expect(first.wordCount).toBeGreaterThan(60);
    expect(first.wordsPerMinute).toBeCloseTo((first.wordCount / 40) * 60, 1);
    expect(second.wordsPerMinute).toBeUndefined(); // duration 0
    expect(first.technicalScore).toBeCloseTo(breakdown.metrics[0].technical, 1);
    expect(first.communicationScore).toBeCloseTo(breakdown.metrics[0].communication, 1);
    expect(first.answeredAt).toEqual(new Date(START + 50_000));
  });

  it('summarises expressions and face presence, every frame in time order in the timeline', () => {
    const { report: r } = report();
    expect({ ...r.emotionSummary, timeline: undefined }).toEqual({
      sampleCount: 4,
      faceDetectedCount: 3,
      facePresentShare: 0.75,
      countsByEmotion: { angry: 0, disgust: 0, fear: 0, happy: 1, sad: 0, surprise: 0, neutral: 1 },
      unrecognisedCount: 1,
      dominantEmotion: 'happy',
      positiveOrNeutralShare: 1,
      timeline: undefined,
    });
    const timeline = r.emotionSummary!.timeline;
    expect(timeline.map((p) => p.timestampMs - START)).toEqual([1000, 2000, 3000, 4000]);
    expect(timeline[0]).toEqual({ timestampMs: START + 1000, faceDetected: true, emotion: 'neutral', confidence: 0.9, blinkCount: 0 });
    expect(timeline[2].blinkCount).toBeUndefined(); // not tracked
    expect(timeline[3].emotion).toBe(''); // 'contempt' is no FER-2013 label
    expect(withoutTimeline(r).emotionSummary!.timeline).toEqual([]);
    expect(withoutTimeline(r).emotionSummary!.sampleCount).toBe(4);
  });

  it('reads the blinks against the conversational range (Doughty 2001)', () => {
    const { report: r } = report();
    expect(r.blinks).toEqual({
      blinkCount: 2,
      trackedSeconds: 3,
      blinksPerMinute: undefined, // 3 s is too short for a rate
      windows: [],
      normalLowPerMinute: 10.5,
      normalHighPerMinute: 32.5,
    });
  });

  it('renormalises the weights and leaves the shares unset without frames', () => {
    const { report: r } = report([]);
    expect(r.weights).toEqual({ technical: 0.625, communication: 0.375, emotion: 0 });
    expect(r.emotionSummary!.facePresentShare).toBeUndefined();
    expect(r.emotionSummary!.dominantEmotion).toBe('');
    expect(r.emotionSummary!.timeline).toEqual([]);
  });
});

describe("the report's JSON (proto3 JSON, reportJson)", () => {
  it('is byte-identical for the same interview, and reads back to the same report', () => {
    const [a, b] = [report().report, report().report];
    const json = reportJson().stringify(a);
    expect(reportJson().stringify(b)).toBe(json);
    expect(reportJson().parse(JSON.parse(json) as JsonValue)).toEqual(a);
  });

  it("keeps the keys the untyped report had, so report_json's readers keep working", () => {
    const json = JSON.parse(reportJson().stringify(report().report)) as Record<string, unknown> & {
      emotionSummary: Record<string, unknown>;
      answers: Record<string, unknown>[];
      scores: Record<string, unknown>;
    };
    expect(Object.keys(json.scores)).toEqual(['technical', 'communication', 'emotion', 'overall']);
    expect(json.emotionSummary).toMatchObject({ sampleCount: 4, faceDetectedCount: 3, dominantEmotion: 'happy' });
    expect(Object.keys(json.answers[0])).toEqual(
      expect.arrayContaining(['questionId', 'relevanceScore', 'clarityScore', 'depthScore', 'keywords', 'feedback']),
    );
    expect(json.startedAt).toBe('2025-03-14T09:30:00Z');
  });

  it('reads a report stored before it was typed (schema 1), as far as it goes', () => {
    const v1 = {
      schemaVersion: 1,
      sessionId: 's-1',
      generatedAt: '2025-03-14T09:30:00.000Z',
      scores: { technical: 70, communication: 80, emotion: 0, overall: 73.8 },
      weights: { technical: 0.625, communication: 0.375, emotion: 0 },
      feedback: 'fine',
      answers: [
        {
          questionId: 'q1',
          question: 'Q?',
          category: 'technical',
          durationSeconds: 30,
          wordCount: 70,
          wordsPerMinute: null,
          relevanceScore: 70,
          clarityScore: 80,
          depthScore: 70,
          keywords: ['k'],
          feedback: 'f',
        },
      ],
      emotionSummary: {
        sampleCount: 0,
        faceDetectedCount: 0,
        facePresentShare: null,
        countsByEmotion: { happy: 0 },
        unrecognisedCount: 0,
        dominantEmotion: null,
        positiveOrNeutralShare: null,
        timeline: null,
      },
      insights: [{ category: 'emotion', description: 'No video frames were analyzed.', impact: 0 }],
    };
    const r = reportJson().parse(v1);
    expect(r).toMatchObject({ schemaVersion: 1, sessionId: 's-1', scores: { overall: 73.8 }, blinks: undefined, startedAt: undefined });
    expect(r.answers[0]).toMatchObject({ questionId: 'q1', wordsPerMinute: undefined, keywords: ['k'] });
    expect(r.emotionSummary).toMatchObject({ dominantEmotion: '', timeline: [] });
  });
});

describe('blinkRate', () => {
  const at = (seconds: number, blinkCount: number | null): EmotionSample => ({
    timestampMs: START + seconds * 1000,
    faceDetected: true,
    emotion: 'neutral',
    confidence: 1,
    blinkCount,
  });

  it('counts the blinks between the first and the last tracked frame, in windows of 60 s', () => {
    // A frame every 5 s for 150 s, a blink every 4 s (15 a minute), the count as of each frame.
    const samples = Array.from({ length: 31 }, (_, i) => at(i * 5, Math.floor((i * 5) / 4)));
    const rate = blinkRate(samples);
    expect(rate.blinkCount).toBe(37);
    expect(rate.trackedSeconds).toBe(150);
    expect(rate.blinksPerMinute).toBeCloseTo(14.8, 1);
    expect(rate.windows.map((w) => [w.startMs - START, w.endMs - START, w.blinks])).toEqual([
      [0, 60_000, 15],
      [60_000, 120_000, 15],
      [120_000, 150_000, 7],
    ]);
    expect(rate.windows[0].blinksPerMinute).toBeGreaterThanOrEqual(CONVERSATIONAL_BLINK_RATE.low);
  });

  it('leaves out untracked frames, a last window under 15 s, and a rate over less than 15 s', () => {
    expect(blinkRate([at(0, 0), at(30, null), at(70, 3)]).windows.map((w) => w.endMs - START)).toEqual([60_000]);
    expect(blinkRate([at(0, 0), at(10, 2)])).toEqual({ blinkCount: 2, trackedSeconds: 10, blinksPerMinute: null, windows: [] });
    expect(blinkRate([at(0, null)])).toEqual({ blinkCount: 0, trackedSeconds: 0, blinksPerMinute: null, windows: [] });
  });
});
