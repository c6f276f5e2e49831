import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { EVENTS } from '../../platform/bus/event-catalog';
import { Outbox } from '../../platform/messaging/outbox';
import { Provisioned } from '../../platform/service/provisioned';
import { checkNewPassword, normalizeEmail } from './domain/credentials';
import { EmailTakenError, InvalidRefreshTokenError, InvitationRequiredError, WrongCredentialsError } from './domain/errors';
import { hashPassword, verifyPassword } from './domain/passwords';
import { Role } from './domain/roles';
import { AuthSettings } from './settings';
import { SigningKeys } from './signing-keys';
import { AuthStore, AuthTables, UserRecord } from './store';
import { hashRefreshToken, issueAccessToken, newRefreshToken } from './tokens';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/**
 * The auth service's use cases: accounts, logins, and the rotation of refresh tokens by family.
 * Inputs are checked here (InvalidInputError naming the field, never echoing a password).
 */
export class Accounts {
  /** A hash no password matches, verified when the email is unknown so that a login takes as long either way. */
  private readonly decoy: Promise<string>;

  constructor(
    private readonly store: AuthStore,
    private readonly keys: Provisioned<SigningKeys>,
    private readonly settings: AuthSettings,
    private readonly outbox: Outbox<AuthTables>,
  ) {
    this.decoy = hashPassword(randomUUID(), settings.scryptCost);
  }

  /** Creates an account; EmailTakenError, InvitationRequiredError (an interviewer without the deployment's code). */
  async register(email: string, password: string, role: Role, invitationCode: string): Promise<{ userId: string; role: Role }> {
    const address = normalizeEmail(email);
    checkNewPassword(password);
    if (role === 'interviewer' && !this.invited(invitationCode)) throw new InvitationRequiredError();
    const userId = await this.store.createUser(address, await hashPassword(password, this.settings.scryptCost), role);
    if (!userId) throw new EmailTakenError();
    return { userId, role };
  }

  /** A token pair of a new family; WrongCredentialsError when the email or the password does not match. */
  async login(email: string, password: string): Promise<Tokens> {
    const user = await this.authenticate(email, password);
    const refresh = newRefreshToken();
    await this.store.addRefreshToken(this.store.db, { hash: refresh.hash, familyId: randomUUID(), userId: user.id, expiresAt: this.refreshExpiry() });
    return this.pair(user, refresh.token);
  }

  /** Spends `refreshToken` for a new pair of its family; InvalidRefreshTokenError otherwise (a reused one revokes the family). */
  async refresh(refreshToken: string): Promise<Tokens> {
    const next = newRefreshToken();
    const outcome = await this.store.spendRefreshToken(hashRefreshToken(refreshToken), (trx, spent) =>
      this.store.addRefreshToken(trx, { hash: next.hash, familyId: spent.familyId, userId: spent.user.id, expiresAt: this.refreshExpiry() }),
    );
    if (outcome.kind === 'refused') {
      throw new InvalidRefreshTokenError(outcome.reason === 'reused' ? 'spent already, so every token of its login is revoked' : outcome.reason);
    }
    return this.pair(outcome.user, next.token);
  }

  /** Revokes the refresh token's family; nothing for an unknown one. */
  async logout(refreshToken: string): Promise<void> {
    await this.store.revokeFamilyOf(hashRefreshToken(refreshToken));
  }

  /**
   * Deletes the account of `email` when `password` matches (WrongCredentialsError otherwise): its
   * refresh tokens are revoked and `auth.user.deleted` is written to the outbox in the same
   * transaction, so that the services verifying its access tokens learn of it.
   */
  async deleteAccount(email: string, password: string): Promise<void> {
    const user = await this.authenticate(email, password);
    await this.outbox.transaction(async (trx) => {
      if (await this.store.deleteUser(trx, user.id)) {
        await this.outbox.add(trx, EVENTS.userDeleted, { userId: user.id, deletedAt: new Date() }, user.id);
      }
    });
  }

  /** The live account of `email` if `password` is its password; WrongCredentialsError, in the same time, otherwise. */
  private async authenticate(email: string, password: string): Promise<UserRecord> {
    const user = await this.store.findUserByEmail(normalizeEmail(email));
    const matches = await verifyPassword(password, user?.passwordHash ?? (await this.decoy));
    if (!user || !matches) throw new WrongCredentialsError();
    return user;
  }

  private async pair(user: UserRecord, refreshToken: string): Promise<Tokens> {
    const { issuer, audience, accessTokenTtlSeconds } = this.settings;
    const accessToken = await issueAccessToken(this.keys.get().current(), issuer, audience, accessTokenTtlSeconds, { userId: user.id, role: user.role });
    return { accessToken, refreshToken, expiresIn: accessTokenTtlSeconds };
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.settings.refreshTokenTtlSeconds * 1000);
  }

  /** Compares digests in constant time, so the code's length and prefix do not leak. */
  private invited(code: string): boolean {
    const expected = this.settings.interviewerInvitationCode;
    if (expected === undefined || code === '') return false;
    const digest = (value: string) => createHash('sha256').update(value).digest();
    return timingSafeEqual(digest(code), digest(expected));
  }
}
