/**
 * Inputs as they may really arrive: the scoring functions check their inputs' structure, because a
 * JavaScript caller (or a cast) can pass anything their types rule out.
 */

/** An input object before its fields are checked: any of them may be missing or of any type. */
export type Unchecked = Readonly<Record<string, unknown>>;

/** Whether `value` is an object (not null), whose fields can then be checked one by one. */
export function isObject(value: unknown): value is Unchecked {
  return value !== null && typeof value === 'object';
}
