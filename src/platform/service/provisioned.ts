import { UnavailableError } from '../errors/domain-errors';

/**
 * A resource that arrives after the service started (models loading): `get` returns it, or throws
 * UnavailableError while it is not there yet, which callers see as UNAVAILABLE ("retry shortly").
 */
export interface Provisioned<R> {
  get(): R;
  readonly ready: boolean;
}

/** A Provisioned filled later by `set`. */
export class LateResource<R> implements Provisioned<R> {
  private value: { readonly resource: R } | undefined;

  /** `whileMissing`: the message callers get until it is set, e.g. `models are still loading; retry shortly`. */
  constructor(private readonly whileMissing: string) {}

  get ready(): boolean {
    return this.value !== undefined;
  }

  get(): R {
    if (!this.value) throw new UnavailableError(this.whileMissing);
    return this.value.resource;
  }

  set(resource: R): void {
    this.value = { resource };
  }
}

/** A Provisioned that is there from the start (a test's resource, or a service with none). */
export function provided<R>(resource: R): Provisioned<R> {
  return { get: () => resource, ready: true };
}
