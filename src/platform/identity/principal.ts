import { UnauthenticatedError } from '../errors/domain-errors';
import { CallContext } from '../grpc/call-context';

/** Who a user is to the mesh: what the `role` claim of an access token says. */
export type Role = 'candidate' | 'interviewer';

export const ROLES: readonly Role[] = ['candidate', 'interviewer'];

/** The verified caller of an RPC: the access token's subject (the user id) and role. */
export interface Principal {
  readonly subject: string;
  readonly role: Role;
}

/** Principals of the calls in flight, set by the authentication interceptor. */
const principals = new WeakMap<CallContext, Principal>();

export function setPrincipal(ctx: CallContext, principal: Principal): void {
  principals.set(ctx, principal);
}

/** The verified caller of this call, if one was verified. */
export function findPrincipal(ctx: CallContext): Principal | undefined {
  return principals.get(ctx);
}

/**
 * The verified caller of this call. Throws UnauthenticatedError when none was verified: a handler
 * of a service without the authentication interceptor asked for one.
 */
export function principalOf(ctx: CallContext): Principal {
  const principal = principals.get(ctx);
  if (!principal) throw new UnauthenticatedError('this call carries no verified identity');
  return principal;
}
