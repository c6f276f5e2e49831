import { randomBytes, randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { AuthServiceClient, Role as ProtoRole } from '../../src/gen/auth';
import { callUnary } from '../../src/platform/grpc/unary-call';
import { Role } from '../../src/platform/identity/principal';
import { TEST_CHANNEL_OPTIONS, testCredentials } from './tls';

/** The interviewers' invitation code of the meshes the tests start (AUTH_INTERVIEWER_INVITATION_CODE, see meshEnv). */
export const TEST_INVITATION_CODE = 'test-interviewer-invitation';

/** A user the tests registered and logged in: its id (the access token's subject) and its tokens. */
export interface SignedUp {
  readonly userId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

const PROTO_ROLE: Readonly<Record<Role, ProtoRole>> = { candidate: ProtoRole.ROLE_CANDIDATE, interviewer: ProtoRole.ROLE_INTERVIEWER };

/**
 * Registers a fresh user (a random email and password) with the auth service at `authAddress` and
 * logs it in. An interviewer presents `invitationCode`, the tests' own by default.
 */
export async function signUp(authAddress: string, role: Role, invitationCode = role === 'interviewer' ? TEST_INVITATION_CODE : ''): Promise<SignedUp> {
  const client = new AuthServiceClient(authAddress, testCredentials(), TEST_CHANNEL_OPTIONS);
  const options = () => ({ deadline: new Date(Date.now() + 20_000), metadata: new Metadata() });
  const email = `${role}-${randomUUID()}@example.com`;
  const password = randomBytes(18).toString('base64url');
  try {
    const { userId } = await callUnary(client.register.bind(client), { email, password, role: PROTO_ROLE[role], invitationCode }, options());
    const { accessToken, refreshToken } = await callUnary(client.login.bind(client), { email, password }, options());
    return { userId, accessToken, refreshToken };
  } finally {
    client.close();
  }
}
