import { FastifyInstance } from 'fastify';
import { Role, TokenPair } from '../../gen/auth';
import { callerMetadata, httpCallContext, Upstreams } from './upstream';
import { S } from './schemas';

const ROLE_OF_NAME = { candidate: Role.ROLE_CANDIDATE, interviewer: Role.ROLE_INTERVIEWER } as const;

function roleName(role: Role): string {
  return role === Role.ROLE_CANDIDATE ? 'candidate' : role === Role.ROLE_INTERVIEWER ? 'interviewer' : 'unspecified';
}

function tokenPairJson(pair: TokenPair) {
  return { access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: pair.expiresIn, token_type: pair.tokenType };
}

/** Sign-up, login, refresh and logout, each forwarded to auth.v1.AuthService (the auth service checks and limits them). */
export function authRoutes(fastify: FastifyInstance, upstreams: Upstreams): void {
  const { auth } = upstreams;
  const never = new AbortController().signal;

  fastify.post<{ Body: { email: string; password: string; role?: 'candidate' | 'interviewer'; invitation_code?: string } }>(
    '/api/v1/auth/register',
    { schema: { body: S.RegisterRequest } },
    async (request, reply) => {
      const b = request.body;
      const created = await auth.call(
        'register',
        { email: b.email, password: b.password, role: ROLE_OF_NAME[b.role ?? 'candidate'], invitationCode: b.invitation_code ?? '' },
        httpCallContext('/api/v1/auth/register', request.caller, never, request.log),
        callerMetadata({ token: undefined, address: request.ip }),
      );
      return reply.code(201).send({ user_id: created.userId, role: roleName(created.role) });
    },
  );

  fastify.post<{ Body: { email: string; password: string } }>('/api/v1/auth/login', { schema: { body: S.LoginRequest } }, async (request) =>
    tokenPairJson(
      await auth.call(
        'login',
        { email: request.body.email, password: request.body.password },
        httpCallContext('/api/v1/auth/login', request.caller, never, request.log),
        callerMetadata({ token: undefined, address: request.ip }),
      ),
    ),
  );

  fastify.post<{ Body: { refresh_token: string } }>('/api/v1/auth/refresh', { schema: { body: S.RefreshRequest } }, async (request) =>
    tokenPairJson(
      await auth.call(
        'refresh',
        { refreshToken: request.body.refresh_token },
        httpCallContext('/api/v1/auth/refresh', request.caller, never, request.log),
        callerMetadata({ token: undefined, address: request.ip }),
      ),
    ),
  );

  fastify.post<{ Body: { refresh_token: string } }>('/api/v1/auth/logout', { schema: { body: S.RefreshRequest } }, async (request, reply) => {
    await auth.call(
      'logout',
      { refreshToken: request.body.refresh_token },
      httpCallContext('/api/v1/auth/logout', request.caller, never, request.log),
      callerMetadata({ token: undefined, address: request.ip }),
    );
    return reply.code(204).send();
  });
}
