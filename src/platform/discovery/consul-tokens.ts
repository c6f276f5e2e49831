import { Env, optionalString, serviceVariable } from '../config/env';

/** A Consul ACL token and the variable it came from (named in errors; the token never is). */
export interface ConsulToken {
  /** The token's SecretID; undefined when no variable sets one (the agent's anonymous token). */
  readonly secret: string | undefined;
  /** The variable that set it, or the ones that could have. */
  readonly variable: string;
}

/**
 * The ACL tokens this process sends to its Consul agent: CONSUL_HTTP_TOKEN (what an instance
 * registers with), `<SERVICE>_CONSUL_TOKEN` overriding it for one service (a process running
 * several services, each allowed to register only its own name), and CONSUL_RESOLVER_TOKEN (the
 * `consul:///` resolver's read-only token; CONSUL_HTTP_TOKEN when unset).
 *
 * The secrets live in private fields: serialising the configuration (JSON.stringify, a logger)
 * shows only which variables are set, never a token.
 */
export class ConsulTokens {
  readonly #fallback: string | undefined;
  readonly #resolver: string | undefined;
  readonly #perService: ReadonlyMap<string, string>;

  private constructor(fallback: string | undefined, resolver: string | undefined, perService: ReadonlyMap<string, string>) {
    this.#fallback = fallback;
    this.#resolver = resolver;
    this.#perService = perService;
  }

  /** Reads CONSUL_HTTP_TOKEN, CONSUL_RESOLVER_TOKEN and every `<SERVICE>_CONSUL_TOKEN` set in `env`. */
  static fromEnv(env: Env): ConsulTokens {
    const perService = new Map<string, string>();
    for (const name of Object.keys(env)) {
      if (!name.endsWith('_CONSUL_TOKEN')) continue;
      const value = optionalString(env, name);
      if (value !== undefined) perService.set(name, value);
    }
    return new ConsulTokens(optionalString(env, 'CONSUL_HTTP_TOKEN'), optionalString(env, 'CONSUL_RESOLVER_TOKEN'), perService);
  }

  /** The token `service` registers with: `<SERVICE>_CONSUL_TOKEN`, else CONSUL_HTTP_TOKEN. */
  forService(service: string): ConsulToken {
    const variable = serviceVariable(service, 'CONSUL_TOKEN');
    const own = this.#perService.get(variable);
    if (own !== undefined) return { secret: own, variable };
    if (this.#fallback !== undefined) return { secret: this.#fallback, variable: 'CONSUL_HTTP_TOKEN' };
    return { secret: undefined, variable: `${variable} or CONSUL_HTTP_TOKEN` };
  }

  /** The resolver's token: CONSUL_RESOLVER_TOKEN, else CONSUL_HTTP_TOKEN. */
  resolver(): ConsulToken {
    if (this.#resolver !== undefined) return { secret: this.#resolver, variable: 'CONSUL_RESOLVER_TOKEN' };
    if (this.#fallback !== undefined) return { secret: this.#fallback, variable: 'CONSUL_HTTP_TOKEN' };
    return { secret: undefined, variable: 'CONSUL_RESOLVER_TOKEN or CONSUL_HTTP_TOKEN' };
  }

  /** Which token variables are set, never their values. */
  toJSON(): { set: string[] } {
    const set = [...this.#perService.keys()];
    if (this.#fallback !== undefined) set.push('CONSUL_HTTP_TOKEN');
    if (this.#resolver !== undefined) set.push('CONSUL_RESOLVER_TOKEN');
    return { set: set.sort() };
  }
}
