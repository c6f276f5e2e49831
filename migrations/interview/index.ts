import { Migration } from 'kysely';
import * as initial from './0001_initial';
import * as questionBank from './0002_question_bank';

/** The interview service's migrations, applied in name order. */
export const interviewMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_question_bank': questionBank,
};
