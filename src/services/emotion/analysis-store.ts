import { randomUUID } from 'node:crypto';
import { Generated, Kysely, Transaction } from 'kysely';
import { MessagingTables } from '../../platform/messaging/messaging-tables';

/** The emotion service's tables (schema `emotion`), with its outbox and inbox. */
export interface EmotionTables extends MessagingTables {
  emotion_analysis: {
    id: string;
    session_id: string;
    frame_number: number;
    timestamp: Date;
    emotion: string | null;
    confidence: number | null;
    blink_count: number | null;
    face_detected: boolean;
    face_box: { x: number; y: number; width: number; height: number } | null;
    metadata: Record<string, unknown>;
    created_at: Generated<Date>;
  };
}

export interface StoredAnalysis {
  sessionId: string;
  frameNumber: number;
  timestamp: Date;
  emotion: string | null;
  confidence: number | null;
  faceDetected: boolean;
  faceBox: { x: number; y: number; width: number; height: number } | null;
  /** The session's blink count as of this frame; null when the frame's blinks were not tracked. */
  blinkCount: number | null;
  metadata: Record<string, unknown>;
}

/** Stores frame analyses, one per (session, frame). */
export class AnalysisStore {
  constructor(readonly db: Kysely<EmotionTables>) {}

  /** Inserts the analysis in `trx`; returns false when that frame was stored already. */
  async insert(trx: Transaction<EmotionTables>, analysis: StoredAnalysis): Promise<boolean> {
    const result = await trx
      .insertInto('emotion_analysis')
      .values({
        id: randomUUID(),
        session_id: analysis.sessionId,
        frame_number: analysis.frameNumber,
        timestamp: analysis.timestamp,
        emotion: analysis.emotion,
        confidence: analysis.confidence,
        blink_count: analysis.blinkCount,
        face_detected: analysis.faceDetected,
        face_box: analysis.faceBox === null ? null : JSON.stringify(analysis.faceBox) as never,
        metadata: JSON.stringify(analysis.metadata) as never,
      })
      .onConflict((oc) => oc.columns(['session_id', 'frame_number']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
}
