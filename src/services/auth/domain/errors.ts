import { AlreadyExistsError, PermissionDeniedError, UnauthenticatedError } from '../../../platform/errors/domain-errors';

/** Login failed; the message is the same whether the email or the password was wrong. */
export class WrongCredentialsError extends UnauthenticatedError {
  constructor() {
    super('email or password is wrong');
  }
}

/** The refresh token is unknown, expired, revoked or spent. */
export class InvalidRefreshTokenError extends UnauthenticatedError {
  constructor(reason: string) {
    super(`the refresh token is ${reason}; log in again`);
  }
}

export class EmailTakenError extends AlreadyExistsError {
  constructor() {
    super('an account with this email exists already');
  }
}

export class InvitationRequiredError extends PermissionDeniedError {
  constructor() {
    super('interviewer accounts need the invitation code of this deployment');
  }
}
