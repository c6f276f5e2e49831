import { status } from '@grpc/grpc-js';
import { ServerInterceptor } from '../grpc/async-service';
import { ServiceError } from '../grpc/errors';
import { spiffeId, WorkloadIdentity } from './spiffe';

/** Who may call an RPC: a service of the mesh by name, any operator, or anyone (the RPC checks an access token itself). */
export type Caller = `service:${string}` | 'operator';

/** The rule of one RPC: the callers it allows, or `anyone` for the public API (people with access tokens). */
export type CallRule = readonly Caller[] | 'anyone';

/**
 * Which callers may call which RPCs, by full gRPC service name, then method name (`*`: every method
 * the service has no rule for). An RPC with no rule is refused: deny by default.
 */
export type CallPolicy = Readonly<Record<string, Readonly<Record<string, CallRule>>>>;

/** The rule for `/package.Service/Method`, or undefined when the policy has none. */
export function ruleFor(policy: CallPolicy, methodPath: string): CallRule | undefined {
  const [, service = '', method = ''] = methodPath.split('/');
  // Own properties only: `constructor` is no method of a service, and no rule.
  if (!Object.hasOwn(policy, service)) return undefined;
  const rules = policy[service];
  if (Object.hasOwn(rules, method)) return rules[method];
  return Object.hasOwn(rules, '*') ? rules['*'] : undefined;
}

/** Whether `caller` (the verified peer certificate's identity; undefined without one) may call under `rule`. */
export function allows(rule: CallRule | undefined, caller: WorkloadIdentity | undefined): boolean {
  if (rule === 'anyone') return true;
  if (!rule || !caller) return false;
  return rule.includes(caller.kind === 'operator' ? 'operator' : `service:${caller.name}`);
}

/**
 * Authorises each call by its caller's workload identity (the SPIFFE ID of its verified client
 * certificate, `ctx.caller`) against `policy`, before anything else runs: PERMISSION_DENIED naming
 * the caller and the method otherwise (the logging interceptor writes the audit line).
 */
export function callPolicyInterceptor(policy: CallPolicy): ServerInterceptor {
  return async (ctx, next) => {
    if (!allows(ruleFor(policy, ctx.method), ctx.caller)) {
      const who = ctx.caller ? spiffeId(ctx.caller) : 'a caller without a mesh certificate';
      throw new ServiceError(status.PERMISSION_DENIED, `${who} may not call ${ctx.method}`);
    }
    await next();
  };
}
