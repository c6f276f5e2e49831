import { Migration } from 'kysely';
import { ServiceName } from '../src/platform/config/mesh-config';
import { emotionMigrations } from './emotion';
import { interviewMigrations } from './interview';
import { notifierMigrations } from './notifier';
import { scoringMigrations } from './scoring';

/** Each service's migrations; a service's tables live in the PostgreSQL schema named after it. */
export const MIGRATIONS: Readonly<Record<ServiceName, Record<string, Migration>>> = {
  interview: interviewMigrations,
  emotion: emotionMigrations,
  scoring: scoringMigrations,
  notifier: notifierMigrations,
};
