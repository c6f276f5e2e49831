import { randomUUID } from 'node:crypto';
import { Generated, Kysely, sql, Transaction } from 'kysely';
import { MessagingTables } from '../../platform/messaging/messaging-tables';
import { Role } from './domain/roles';

/** The auth service's tables (schema `auth`), its outbox and inbox included. */
export interface AuthTables extends MessagingTables {
  users: {
    id: string;
    email: string;
    password_hash: string;
    role: Role;
    created_at: Generated<Date>;
    deleted_at: Date | null;
  };
  refresh_tokens: {
    token_hash: string;
    family_id: string;
    user_id: string;
    issued_at: Generated<Date>;
    expires_at: Date;
    spent_at: Date | null;
    revoked_at: Date | null;
  };
}

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
}

/** What spending a refresh token found. */
export type SpendOutcome =
  | { readonly kind: 'spent'; readonly familyId: string; readonly user: UserRecord }
  | { readonly kind: 'refused'; readonly reason: 'unknown' | 'expired' | 'revoked' | 'reused' };

/** All of the auth service's SQL. */
export class AuthStore {
  constructor(readonly db: Kysely<AuthTables>) {}

  /** Creates the account; undefined when the email is taken. */
  async createUser(email: string, passwordHash: string, role: Role): Promise<string | undefined> {
    const row = await this.db
      .insertInto('users')
      .values({ id: randomUUID(), email, password_hash: passwordHash, role, deleted_at: null })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  }

  /** The live account with this (normalized) email. */
  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).where('deleted_at', 'is', null).executeTakeFirst();
    return row && { id: row.id, email: row.email, passwordHash: row.password_hash, role: row.role };
  }

  /** Stores a refresh token's hash in its family, valid until `expiresAt`. */
  async addRefreshToken(
    db: Kysely<AuthTables> | Transaction<AuthTables>,
    token: { hash: string; familyId: string; userId: string; expiresAt: Date },
  ): Promise<void> {
    await db
      .insertInto('refresh_tokens')
      .values({ token_hash: token.hash, family_id: token.familyId, user_id: token.userId, expires_at: token.expiresAt, spent_at: null, revoked_at: null })
      .execute();
  }

  /**
   * Spends a refresh token, then runs `next` (which stores its successor) in the same transaction.
   * A token spent already means it was stolen or replayed: its whole family is revoked, and that
   * revocation commits although the call is refused (OAuth 2.1 section 4.3.1).
   */
  async spendRefreshToken(
    hash: string,
    next: (trx: Transaction<AuthTables>, spent: { familyId: string; user: UserRecord }) => Promise<void>,
  ): Promise<SpendOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('refresh_tokens as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .select(['t.family_id', 't.expires_at', 't.spent_at', 't.revoked_at', 'u.id', 'u.email', 'u.password_hash', 'u.role', 'u.deleted_at'])
        .where('t.token_hash', '=', hash)
        .forUpdate('t')
        .executeTakeFirst();
      // A deleted account's tokens are as good as unknown.
      if (row?.deleted_at !== null) return { kind: 'refused', reason: 'unknown' } as const;
      if (row.revoked_at !== null) return { kind: 'refused', reason: 'revoked' } as const;
      if (row.spent_at !== null) {
        await this.revokeFamily(trx, row.family_id);
        return { kind: 'refused', reason: 'reused' } as const;
      }
      if (new Date(row.expires_at).getTime() <= Date.now()) return { kind: 'refused', reason: 'expired' } as const;
      await trx
        .updateTable('refresh_tokens')
        .set({ spent_at: sql`now()` })
        .where('token_hash', '=', hash)
        .execute();
      const user = { id: row.id, email: row.email, passwordHash: row.password_hash, role: row.role };
      await next(trx, { familyId: row.family_id, user });
      return { kind: 'spent', familyId: row.family_id, user } as const;
    });
  }

  /** Revokes every token of the family this token belongs to; false when the token is unknown. */
  async revokeFamilyOf(hash: string): Promise<boolean> {
    const row = await this.db.selectFrom('refresh_tokens').select('family_id').where('token_hash', '=', hash).executeTakeFirst();
    if (!row) return false;
    await this.revokeFamily(this.db, row.family_id);
    return true;
  }

  /**
   * Marks the account deleted and revokes all its refresh tokens, in `trx`. Its email is replaced
   * by `deleted:<id>` (free to register again, and no longer kept) and its password hash erased.
   * False when it was deleted already.
   */
  async deleteUser(trx: Transaction<AuthTables>, userId: string): Promise<boolean> {
    const deleted = await trx
      .updateTable('users')
      .set({ deleted_at: sql`now()`, email: `deleted:${userId}`, password_hash: '' })
      .where('id', '=', userId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: sql`now()` })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    return deleted.numUpdatedRows > 0n;
  }

  private async revokeFamily(db: Kysely<AuthTables> | Transaction<AuthTables>, familyId: string): Promise<void> {
    await db
      .updateTable('refresh_tokens')
      .set({ revoked_at: sql`now()` })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
