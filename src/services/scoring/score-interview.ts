import { Transaction } from 'kysely';
import { InterviewCompleted, ScoreCalculated } from '../../gen/events';
import { AnswerAnalyzer, answerInput } from './answer-analyzer';
import { calculateScoreBreakdown, ScoredAnswer } from './domain';
import { buildReport } from './report/build-report';
import { ScoringStore, ScoringTables } from './store';

/** The completion's answers with their analyses (AnswerAnalyzer.analyze, side by side), in order. */
export function analyzeAnswers(analyzer: AnswerAnalyzer, completed: InterviewCompleted): Promise<ScoredAnswer[]> {
  return Promise.all(
    completed.answers.map(async (a) => ({
      questionId: a.questionId,
      question: a.question,
      category: a.category,
      transcript: a.transcript,
      durationSeconds: a.durationSeconds,
      analysis: await analyzer.analyze(answerInput(a)),
    })),
  );
}

/**
 * Scores a completed interview from its answers (carried by the completion event) and the emotion
 * samples stored so far, and stores scores, answer analyses and report in `trx`. Returns the
 * interview.scored event to publish once the transaction has committed.
 */
export async function scoreInterview(
  store: ScoringStore,
  analyzer: AnswerAnalyzer,
  trx: Transaction<ScoringTables>,
  completed: InterviewCompleted,
  now: Date,
): Promise<ScoreCalculated> {
  const answers = await analyzeAnswers(analyzer, completed);
  const emotions = await store.loadSamples(trx, completed.sessionId);
  const breakdown = calculateScoreBreakdown({ answers, emotions, totalQuestions: completed.totalQuestions });
  const card = breakdown.scoreCard;
  // The breakdown lets the report reuse the transcripts' text analysis rather than redo it.
  const report = buildReport({ completed, answers, emotions, breakdown });
  await store.insertScores(trx, completed.sessionId, card, answers, report);
  await store.deletePendingCompletion(trx, completed.sessionId);
  return {
    sessionId: completed.sessionId,
    userId: completed.userId,
    technicalScore: card.technicalScore,
    communicationScore: card.communicationScore,
    emotionScore: card.emotionScore,
    overallScore: card.overallScore,
    feedback: card.feedback,
    calculatedAt: now,
  };
}
