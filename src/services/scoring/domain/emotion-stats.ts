/**
 * Aggregate statistics over emotion samples (video frames), shared by the emotion score, the insights
 * and the report.
 *
 * Labels are the seven FER-2013 classes (Goodfellow et al., 2013). Valence: `happy` is positive;
 * `neutral` is neutral; `surprise` is also treated as neutral because its valence is ambiguous (it
 * lies near the neutral valence axis in Russell's 1980 circumplex model of affect); `angry`,
 * `disgust`, `fear` and `sad` are negative.
 */

import type { EmotionSample } from './score-types';

/** The FER-2013 emotion labels, in the dataset's class order. */
export const FER_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;

/** A FER-2013 label. */
export type FerLabel = (typeof FER_LABELS)[number];

/** Valence class of a label. */
export type Valence = 'positive' | 'neutral' | 'negative';

/** Valence of each FER-2013 label (see module docs for the `surprise` choice). */
export const EMOTION_VALENCE: Readonly<Record<FerLabel, Valence>> = {
  angry: 'negative',
  disgust: 'negative',
  fear: 'negative',
  happy: 'positive',
  sad: 'negative',
  surprise: 'neutral',
  neutral: 'neutral',
};

const LABEL_SET: ReadonlySet<string> = new Set(FER_LABELS);

/** Parses a classifier label (trimmed, case-insensitive); null for null or an unknown label. */
export function parseFerLabel(label: string | null): FerLabel | null {
  if (label === null) return null;
  const norm = label.trim().toLowerCase();
  return LABEL_SET.has(norm) ? (norm as FerLabel) : null;
}

/** Counts and confidence-weighted sums over a list of samples. */
export interface EmotionStats {
  /** All samples. */
  readonly sampleCount: number;
  /** Samples with `faceDetected` true. */
  readonly faceFrameCount: number;
  /** Samples with a face and a recognised FER-2013 label. */
  readonly classifiedFrameCount: number;
  /** Samples with a face whose label is non-null but not a FER-2013 label (ignored in scoring). */
  readonly unrecognisedLabelCount: number;
  /** Classified frames per label (all seven keys present). */
  readonly countsByLabel: Readonly<Record<FerLabel, number>>;
  /** Sum of confidences per valence over classified frames. */
  readonly confidenceByValence: Readonly<Record<Valence, number>>;
  /** faceFrameCount / sampleCount, 0..1; null when there are no samples. */
  readonly facePresentShare: number | null;
  /**
   * Confidence-weighted share of positive or neutral expressions among classified frames,
   * Σ confidence(positive|neutral) / Σ confidence(all), 0..1; null when the total confidence is 0.
   */
  readonly positiveOrNeutralShare: number | null;
  /** Most frequent label among classified frames (ties: FER-2013 class order); null when none. */
  readonly dominantLabel: FerLabel | null;
}

/**
 * Computes {@link EmotionStats}. Labels of frames without a detected face are ignored (a label
 * without a face is a classifier/caller inconsistency).
 */
export function computeEmotionStats(samples: readonly EmotionSample[]): EmotionStats {
  const countsByLabel = Object.fromEntries(FER_LABELS.map((l) => [l, 0])) as Record<FerLabel, number>;
  const confidenceByValence: Record<Valence, number> = { positive: 0, neutral: 0, negative: 0 };
  let faceFrameCount = 0;
  let classifiedFrameCount = 0;
  let unrecognisedLabelCount = 0;
  for (const sample of samples) {
    if (!sample.faceDetected) continue;
    faceFrameCount += 1;
    const label = parseFerLabel(sample.emotion);
    if (label === null) {
      if (sample.emotion !== null) unrecognisedLabelCount += 1;
      continue;
    }
    classifiedFrameCount += 1;
    countsByLabel[label] += 1;
    confidenceByValence[EMOTION_VALENCE[label]] += sample.confidence;
  }
  const totalConfidence = confidenceByValence.positive + confidenceByValence.neutral + confidenceByValence.negative;
  let dominantLabel: FerLabel | null = null;
  for (const label of FER_LABELS) {
    if (countsByLabel[label] > 0 && (dominantLabel === null || countsByLabel[label] > countsByLabel[dominantLabel])) {
      dominantLabel = label;
    }
  }
  return {
    sampleCount: samples.length,
    faceFrameCount,
    classifiedFrameCount,
    unrecognisedLabelCount,
    countsByLabel,
    confidenceByValence,
    facePresentShare: samples.length === 0 ? null : faceFrameCount / samples.length,
    positiveOrNeutralShare: totalConfidence > 0 ? (confidenceByValence.positive + confidenceByValence.neutral) / totalConfidence : null,
    dominantLabel,
  };
}
