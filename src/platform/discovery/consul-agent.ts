import Consul from 'consul';
import { ConfigError } from '../config/env';

/** Where a Consul agent's HTTP API listens. */
export interface ConsulAgentAddress {
  host: string;
  port: number;
  secure: boolean;
}

/**
 * Parses an agent address as the Consul CLI reads CONSUL_HTTP_ADDR: `host:port`, `http://host:port`
 * or `https://host:port` (port 8500, or 443 for https, when left out). Throws ConfigError naming
 * `variable` otherwise.
 */
export function parseConsulAddress(value: string, variable = 'CONSUL_HTTP_ADDR'): ConsulAgentAddress {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`${variable} must be host:port or an http(s) URL of a Consul agent, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${variable} must use http or https, got "${url.protocol.replace(/:$/, '')}"`);
  }
  if (!url.hostname || (url.pathname !== '/' && url.pathname !== '')) {
    throw new ConfigError(`${variable} must be host:port or an http(s) URL of a Consul agent, got "${value}"`);
  }
  const secure = url.protocol === 'https:';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 443 : 8500, secure };
}

/**
 * A client of the agent's HTTP API (the `consul` package), sending `token` (an ACL token's
 * SecretID, as the X-Consul-Token header) with every request when given.
 */
export function consulClient(address: ConsulAgentAddress, token?: string): Consul {
  return new Consul({ host: address.host, port: address.port, secure: address.secure, ...(token ? { defaults: { token } } : {}) });
}

/** The HTTP status of a failed request of the `consul` package (papi's ResponseError), if it got one. */
export function consulStatus(error: unknown): number | undefined {
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

export function describeAgent(address: ConsulAgentAddress): string {
  return `${address.secure ? 'https' : 'http'}://${address.host}:${address.port}`;
}
