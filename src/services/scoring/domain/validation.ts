/**
 * Structural validation of session-level inputs. Throws {@link InvalidScoreInputError} naming the
 * offending field (e.g. `answers[1].durationSeconds`).
 */
import { InvalidScoreInputError } from './errors';
import type { EmotionSample, ScoredAnswer } from './score-types';
import { isObject } from './unchecked';

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidScoreInputError(field, `${field} must be a finite number`);
  }
  return value;
}

function inRange(value: unknown, field: string, min: number, max: number): void {
  const n = finite(value, field);
  if (n < min || n > max) throw new InvalidScoreInputError(field, `${field} must be between ${min} and ${max}`);
}

function string(value: unknown, field: string): void {
  if (typeof value !== 'string') throw new InvalidScoreInputError(field, `${field} must be a string`);
}

/** Validates `totalQuestions`: an integer ≥ 0. */
export function validateTotalQuestions(totalQuestions: unknown): number {
  const n = finite(totalQuestions, 'totalQuestions');
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidScoreInputError('totalQuestions', 'totalQuestions must be a non-negative integer');
  }
  return n;
}

/**
 * Validates answers: strings for ids and texts, `durationSeconds` finite and ≥ 0, analysis scores in
 * 0..100 and keywords an array.
 */
export function validateAnswers(answers: unknown): readonly ScoredAnswer[] {
  if (!Array.isArray(answers)) throw new InvalidScoreInputError('answers', 'answers must be an array');
  answers.forEach((a: unknown, i) => {
    const at = `answers[${i}]`;
    if (!isObject(a)) throw new InvalidScoreInputError(at, `${at} must be an object`);
    string(a.questionId, `${at}.questionId`);
    string(a.question, `${at}.question`);
    string(a.category, `${at}.category`);
    string(a.transcript, `${at}.transcript`);
    inRange(a.durationSeconds, `${at}.durationSeconds`, 0, Number.MAX_VALUE);
    if (!isObject(a.analysis)) {
      throw new InvalidScoreInputError(`${at}.analysis`, `${at}.analysis must be an object`);
    }
    inRange(a.analysis.relevanceScore, `${at}.analysis.relevanceScore`, 0, 100);
    inRange(a.analysis.clarityScore, `${at}.analysis.clarityScore`, 0, 100);
    inRange(a.analysis.depthScore, `${at}.analysis.depthScore`, 0, 100);
    if (!Array.isArray(a.analysis.keywords)) {
      throw new InvalidScoreInputError(`${at}.analysis.keywords`, `${at}.analysis.keywords must be an array`);
    }
  });
  return answers as readonly ScoredAnswer[];
}

/**
 * Validates emotion samples: finite `timestampMs`, boolean `faceDetected`, `emotion` string or null,
 * `confidence` in 0..1, `blinkCount` null or a finite number ≥ 0.
 */
export function validateEmotionSamples(emotions: unknown): readonly EmotionSample[] {
  if (!Array.isArray(emotions)) throw new InvalidScoreInputError('emotions', 'emotions must be an array');
  emotions.forEach((e: unknown, i) => {
    const at = `emotions[${i}]`;
    if (!isObject(e)) throw new InvalidScoreInputError(at, `${at} must be an object`);
    finite(e.timestampMs, `${at}.timestampMs`);
    if (typeof e.faceDetected !== 'boolean') {
      throw new InvalidScoreInputError(`${at}.faceDetected`, `${at}.faceDetected must be a boolean`);
    }
    if (e.emotion !== null) string(e.emotion, `${at}.emotion`);
    inRange(e.confidence, `${at}.confidence`, 0, 1);
    if (e.blinkCount !== null) inRange(e.blinkCount, `${at}.blinkCount`, 0, Number.MAX_VALUE);
  });
  return emotions as readonly EmotionSample[];
}
