import { Migration } from 'kysely';
import * as initial from './0001_initial';

/** The auth service's migrations, applied in name order. It neither consumes nor publishes events: no outbox. */
export const authMigrations: Record<string, Migration> = {
  '0001_initial': initial,
};
