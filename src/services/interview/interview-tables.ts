import { Generated, Kysely } from 'kysely';
import { MessagingTables } from '../../platform/messaging/messaging-tables';

export type SessionStatus = 'in_progress' | 'completed' | 'scored';

/** The interview service's tables (schema `interview`), with its outbox and inbox. */
export interface InterviewTables extends MessagingTables {
  users: { id: string; external_id: string; role: Generated<string>; created_at: Generated<Date> };
  questions: { id: string; text: string; category: string; difficulty: string; expected_duration: number; created_at: Generated<Date> };
  interview_sessions: {
    id: string;
    user_id: string;
    status: SessionStatus;
    started_at: Date;
    completed_at: Date | null;
    scored_at: Date | null;
    total_duration: number | null;
    video_url: string | null;
    /** bigint: pg returns it as a string. */
    frames_received: Generated<string | number>;
    created_at: Generated<Date>;
  };
  session_questions: { session_id: string; position: number; question_id: string };
  answers: {
    id: string;
    session_id: string;
    question_id: string;
    transcript: string;
    audio_url: string | null;
    duration: number;
    confidence: number;
    created_at: Generated<Date>;
  };
  frames: {
    session_id: string;
    frame_number: number;
    captured_at: Date;
    format: string;
    byte_length: number;
    analysed_synchronously: boolean;
    received_at: Generated<Date>;
  };
}

export type InterviewDb = Kysely<InterviewTables>;
