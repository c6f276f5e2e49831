import { randomBytes } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { AuthServiceClient, Role } from '../gen/auth';
import { callUnary } from '../platform/grpc/unary-call';
import { MeshChannel } from '../platform/tls/transport-security';

/** A user the demo registered and logged in. */
export interface DemoUser {
  readonly email: string;
  /** The access token's subject. */
  readonly userId: string;
  readonly accessToken: string;
  /** The random password it was registered with: `--web` prints it, so that a person can log in to the web app as this user. */
  readonly password: string;
}

/**
 * Registers `email` with the auth service at `authTarget` under a random password (an interviewer
 * presents `invitationCode`), then logs in: the access token is what every interview call carries.
 */
export async function signUp(authTarget: string, channel: MeshChannel, email: string, role: Role, invitationCode = ''): Promise<DemoUser> {
  const client = new AuthServiceClient(authTarget, channel.credentials, channel.options);
  const options = () => ({ deadline: new Date(Date.now() + 30_000), metadata: new Metadata() });
  const password = randomBytes(18).toString('base64url');
  try {
    const { userId } = await callUnary(client.register.bind(client), { email, password, role, invitationCode }, options());
    const { accessToken } = await callUnary(client.login.bind(client), { email, password }, options());
    return { email, userId, accessToken, password };
  } catch (error) {
    throw new Error(`signing up ${email} with the auth service at ${authTarget}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    client.close();
  }
}

/** A fresh address for a demo account: `<name>-<random>@demo.example`, so that every run registers new accounts. */
export function demoEmail(name: string): string {
  return `${name}-${randomBytes(4).toString('hex')}@demo.example`;
}
