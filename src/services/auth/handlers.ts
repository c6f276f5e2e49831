import { AuthServiceService, Role as ProtoRole } from '../../gen/auth';
import { AsyncService } from '../../platform/grpc/async-service';
import { ServiceError } from '../../platform/grpc/errors';
import { requireString } from '../../platform/grpc/validate';
import { Provisioned } from '../../platform/service/provisioned';
import { Accounts, Tokens } from './accounts';
import { Role } from './domain/roles';
import { SigningKeys } from './signing-keys';

const ROLE_OF: ReadonlyMap<ProtoRole, Role> = new Map([
  [ProtoRole.ROLE_CANDIDATE, 'candidate'],
  [ProtoRole.ROLE_INTERVIEWER, 'interviewer'],
]);
const PROTO_ROLE: Readonly<Record<Role, ProtoRole>> = { candidate: ProtoRole.ROLE_CANDIDATE, interviewer: ProtoRole.ROLE_INTERVIEWER };

function toTokenPair(tokens: Tokens) {
  return { ...tokens, tokenType: 'Bearer' };
}

/** auth.v1.AuthService: checks that the fields are there, then the use cases of Accounts. */
export function authHandlers(accounts: Accounts, keys: Provisioned<SigningKeys>): AsyncService<typeof AuthServiceService> {
  return {
    async register(request) {
      const role = ROLE_OF.get(request.role);
      if (!role) throw ServiceError.invalidArgument('role must be ROLE_CANDIDATE or ROLE_INTERVIEWER');
      const created = await accounts.register(request.email, request.password, role, request.invitationCode);
      return { userId: created.userId, role: PROTO_ROLE[created.role] };
    },

    async login(request) {
      return toTokenPair(await accounts.login(requireString(request.email, 'email'), request.password));
    },

    async refresh(request) {
      return toTokenPair(await accounts.refresh(requireString(request.refreshToken, 'refresh_token')));
    },

    async deleteAccount(request) {
      await accounts.deleteAccount(requireString(request.email, 'email'), request.password);
      return {};
    },

    async logout(request) {
      await accounts.logout(requireString(request.refreshToken, 'refresh_token'));
      return {};
    },

    getJwks() {
      const jwks = keys.get().publicKeys();
      return Promise.resolve({
        keys: jwks.map((k) => ({ kty: k.kty, crv: k.crv ?? '', x: k.x ?? '', kid: k.kid ?? '', alg: k.alg ?? '', use: k.use ?? '' })),
      });
    },
  };
}
