import type { SentenceEmbedder } from '../../../src/services/scoring/domain/semantic';
import { EncoderPool } from '../../../src/services/scoring/semantic/encoder-pool';
import { MEMO_MAX_CHARS, RememberingEmbedder } from '../../../src/services/scoring/semantic/remembering-embedder';
import { textModelDir } from '../../../src/services/scoring/semantic/sentence-encoder';
import { testEncoder } from '../../support/text-model';
import { HASH_MAP_GOOD, HASH_MAP_QUESTION, INCIDENT_GOOD } from './transcripts';

jest.setTimeout(60_000);

const TEXTS = [HASH_MAP_QUESTION, HASH_MAP_GOOD, INCIDENT_GOOD, '', 'bucket'];

describe('EncoderPool (the model on worker threads)', () => {
  let pool: EncoderPool;
  beforeAll(async () => {
    pool = await EncoderPool.start(textModelDir(), 2);
  });
  afterAll(() => pool.close());

  it('gives the same vectors as the encoder in this thread, for texts embedded side by side', async () => {
    const local = await (await testEncoder()).encode(TEXTS);
    const [first, second] = await Promise.all([pool.encode(TEXTS), pool.encode([...TEXTS].reverse())]);
    expect(first).toEqual(local);
    expect(second).toEqual([...local].reverse());
  });

  it('refuses to start on a directory without the model, saying how to make it', async () => {
    await expect(EncoderPool.start('/nonexistent/text-model', 1)).rejects.toThrow('scripts/models/ensure-text-model.sh');
  });
});

describe('RememberingEmbedder', () => {
  /** The inner embedder's calls, with the texts of each. */
  function counting(inner: SentenceEmbedder): { embedder: SentenceEmbedder; calls: string[][] } {
    const calls: string[][] = [];
    return {
      calls,
      embedder: {
        encode: (texts) => {
          calls.push([...texts]);
          return inner.encode(texts);
        },
      },
    };
  }

  it('asks the model only for short texts it has not seen, once each, and long texts every time', async () => {
    const encoder = await testEncoder();
    const inner = counting(encoder);
    const remembering = new RememberingEmbedder(inner.embedder, 16);
    const long = HASH_MAP_GOOD;
    expect(long.length).toBeGreaterThan(MEMO_MAX_CHARS);
    const first = await remembering.encode([HASH_MAP_QUESTION, 'bucket', 'bucket', long]);
    const second = await remembering.encode(['bucket', HASH_MAP_QUESTION, long]);
    expect(inner.calls).toEqual([[HASH_MAP_QUESTION, 'bucket', long], [long]]);
    expect(second).toEqual([first[1], first[0], first[3]]);
    expect(first).toEqual(await encoder.encode([HASH_MAP_QUESTION, 'bucket', 'bucket', long]));
  });
});
