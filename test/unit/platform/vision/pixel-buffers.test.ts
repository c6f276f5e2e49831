import { MAX_REUSED_BUFFER_BYTES, PixelBuffers } from '../../../../src/platform/vision/image/pixel-buffers';

describe('PixelBuffers', () => {
  it('lends a released buffer again, never one still leased', () => {
    const pixels = new PixelBuffers();
    const first = pixels.lease();
    const a = first.take(1_000);
    const second = pixels.lease();
    const b = second.take(1_000);
    expect(b.buffer).not.toBe(a.buffer);
    first.release();
    const third = pixels.lease();
    const c = third.take(800);
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(800);
  });

  it('allocates anew when no free buffer is large enough, and keeps none past the size limit', () => {
    const pixels = new PixelBuffers();
    const lease = pixels.lease();
    const small = lease.take(100);
    const huge = lease.take(MAX_REUSED_BUFFER_BYTES + 1);
    lease.release();
    const next = pixels.lease();
    // Oversized first: a huge buffer kept would be lent here; a smaller take first would take it unnoticed.
    expect(next.take(MAX_REUSED_BUFFER_BYTES + 1).buffer).not.toBe(huge.buffer);
    expect(next.take(200).buffer).not.toBe(small.buffer);
    expect(next.take(50).buffer).toBe(small.buffer);
  });
});
