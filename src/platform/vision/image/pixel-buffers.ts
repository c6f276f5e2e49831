/** Largest buffer kept for reuse, bytes: a 1920x1080 RGB frame. Larger frames are rare and not worth holding. */
export const MAX_REUSED_BUFFER_BYTES = 1920 * 1080 * 3;
/** Buffers kept for reuse at most: a worker task's batch (8 frames) twice over. */
const MAX_FREE_BUFFERS = 16;

/** Buffers lent out until their lease is released. */
export interface PixelLease {
  /** A buffer of exactly `bytes` bytes (a view of a reused one when one is large enough): valid until `release`. */
  readonly take: (bytes: number) => Buffer;
  /** Returns every buffer taken to the pool: whatever was decoded into them must no longer be read. */
  readonly release: () => void;
}

/**
 * Byte buffers for decoded frames, reused from frame to frame. A 640x480 frame decodes into 921 KB;
 * allocated anew at 100 frames a second that is 90 MB/s of memory outside V8's heap, whose
 * accounting then runs full collections several times a second (V8's helper threads spent 2.6 ms of
 * CPU a frame on them under `npm run bench:emotion`'s load). Safe under concurrency: each caller
 * takes its own buffers through a lease.
 */
export class PixelBuffers {
  private readonly free: Buffer[] = [];

  lease(): PixelLease {
    const taken: Buffer[] = [];
    return {
      take: (bytes) => {
        const index = this.free.findIndex((buffer) => buffer.length >= bytes);
        const buffer = index >= 0 ? this.free.splice(index, 1)[0] : Buffer.allocUnsafeSlow(bytes); // its own memory, not a slice of the shared pool
        taken.push(buffer);
        return buffer.subarray(0, bytes);
      },
      release: () => {
        for (const buffer of taken.splice(0)) {
          if (buffer.length <= MAX_REUSED_BUFFER_BYTES && this.free.length < MAX_FREE_BUFFERS) this.free.push(buffer);
        }
      },
    };
  }
}
