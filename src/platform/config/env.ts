/** Reading and validating environment variables; every error names the variable and what it expected. */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The variable's trimmed value, or undefined when unset or blank. */
export function optionalString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

export function stringOr(env: Env, name: string, fallback: string): string {
  return optionalString(env, name) ?? fallback;
}

/** An integer in [min, max], or undefined when unset or blank; throws ConfigError otherwise. */
export function optionalInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = optionalString(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** An integer in [min, max], `fallback` when unset or blank; throws ConfigError otherwise. */
export function integerOr(env: Env, name: string, fallback: number, min: number, max: number): number {
  return optionalInteger(env, name, min, max) ?? fallback;
}

/** A comma-separated list of integers, each in [min, max]; throws ConfigError otherwise. */
export function integerListOr(env: Env, name: string, fallback: readonly number[], min: number, max: number): readonly number[] {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < min || v > max)) {
    throw new ConfigError(`${name} must be a comma-separated list of integers from ${min} to ${max}, got "${raw}"`);
  }
  return Object.freeze(values);
}

export function portOr(env: Env, name: string, fallback: number): number {
  return integerOr(env, name, fallback, 0, 65535);
}

/** A URL whose scheme is one of `schemes`; throws ConfigError otherwise. */
export function optionalUrl(env: Env, name: string, schemes: readonly string[]): string | undefined {
  const raw = optionalString(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    throw new ConfigError(`${name} must use ${schemes.join(' or ')}, got "${scheme}"`);
  }
  return raw;
}

/** A service's own variable: `serviceVariable('emotion', 'PORT')` is `EMOTION_PORT`. */
export function serviceVariable(service: string, suffix: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${suffix}`;
}
