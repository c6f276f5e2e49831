import { EXCERPT_CHARS, excerpt } from '../../../src/platform/errors/excerpt';
import { requireUuid } from '../../../src/platform/grpc/validate';

describe('what an error message repeats of an input', () => {
  it('repeats a short input whole', () => {
    expect(excerpt('abc')).toBe('abc');
    expect(excerpt('x'.repeat(EXCERPT_CHARS))).toBe('x'.repeat(EXCERPT_CHARS));
  });

  it('cuts a long one and says how long it was', () => {
    expect(excerpt('y'.repeat(100_000))).toBe(`${'y'.repeat(EXCERPT_CHARS)}… (100000 characters)`);
  });

  it('keeps an id that is not a UUID out of the message beyond its first characters', () => {
    const pasted = `Bearer ${'t'.repeat(500)}`;
    expect(() => requireUuid(pasted, 'interview_id')).toThrow(`interview_id must be a UUID, got "${pasted.slice(0, EXCERPT_CHARS)}… (507 characters)"`);
    expect(() => requireUuid('abc', 'interview_id')).toThrow('interview_id must be a UUID, got "abc"');
  });
});
