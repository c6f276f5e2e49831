/**
 * The scoring service's sentence encoder (all-MiniLM-L6-v2 on onnxruntime-node) against the
 * reference that scripts/models/minilm_to_onnx.py wrote next to the model (reference.json): the
 * token ids of Hugging Face's Rust tokenizer and the embeddings of an independent NumPy float64
 * forward pass of the original weights, one sentence at a time without padding. Here the sentences
 * are tokenised by @huggingface/tokenizers and embedded in one padded batch. The model is made at
 * set-up (`bash scripts/models/ensure-text-model.sh`, which scripts/test.sh runs first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { EMBEDDING_DIMENSIONS, SentenceEncoder, textModelDir } from '../../../src/services/scoring/semantic/sentence-encoder';
import { cosine, weightedUnitMean } from '../../../src/services/scoring/domain/semantic';
import { MAX_SEQ_LENGTH, MAX_WINDOW_PIECES, MAX_WINDOWS, tokenWindows } from '../../../src/services/scoring/semantic/windows';

jest.setTimeout(120_000);

const TOLERANCE = 1e-4;

interface Reference {
  maxSeqLength: number;
  dimensions: number;
  sentences: string[];
  ids: number[][];
  embeddings: number[][];
  maxAbsDiff: number;
}

const norm = (v: Float32Array) => Math.hypot(...v);

/** A deterministic answer of `words` words, made of interview-like sentences. */
function longAnswer(words: number): string {
  const sentences = [
    'We moved the billing system to an event-driven design with an outbox table and idempotent consumers.',
    'Every service exposed health checks, and the load balancer drained instances before each deploy.',
    'I profiled the hot path, found an N+1 query in the ORM, and replaced it with a single join.',
    'The team wrote contract tests for each gRPC interface so that clients and servers could evolve separately.',
    'On call, I wrote the postmortem, added an alert on queue depth, and automated the failover runbook.',
  ];
  const out: string[] = [];
  for (let i = 0; out.length < words; i++) out.push(...sentences[i % sentences.length].split(' '));
  return out.slice(0, words).join(' ');
}

describe('SentenceEncoder (all-MiniLM-L6-v2, onnxruntime-node)', () => {
  let encoder: SentenceEncoder;
  let reference: Reference;

  beforeAll(async () => {
    encoder = await SentenceEncoder.load();
    reference = JSON.parse(fs.readFileSync(path.join(textModelDir(), 'reference.json'), 'utf8')) as Reference;
  });
  afterAll(async () => {
    await encoder.release();
  });

  it("matches the converter's model: max_seq_length, dimensions, its own fidelity figure", () => {
    expect(reference.maxSeqLength).toBe(MAX_SEQ_LENGTH);
    expect(reference.dimensions).toBe(EMBEDDING_DIMENSIONS);
    expect(reference.maxAbsDiff).toBeLessThan(TOLERANCE);
    expect(reference.sentences.length).toBeGreaterThanOrEqual(10);
  });

  it("tokenises every reference sentence to the Rust tokenizer's ids ([CLS]/[SEP], lower case, accents stripped)", () => {
    reference.sentences.forEach((sentence, i) => {
      expect({ sentence, ids: encoder.tokenizer.encode(sentence) }).toEqual({ sentence, ids: reference.ids[i] });
    });
    const accented = reference.sentences.findIndex((s) => s.includes('Café'));
    expect(accented).toBeGreaterThanOrEqual(0);
    expect(encoder.tokenizer.encode('Café Résumé')).toEqual(encoder.tokenizer.encode('cafe resume'));
    expect(encoder.tokenizer.encode('')).toEqual([encoder.tokenizer.clsId, encoder.tokenizer.sepId]);
  });

  it('embeds the reference sentences, in one padded batch, within 1e-4 of the NumPy reference', async () => {
    const embeddings = await encoder.encode(reference.sentences);
    expect(embeddings).toHaveLength(reference.sentences.length);
    let maxAbsDiff = 0;
    embeddings.forEach((embedding, i) => {
      expect(embedding).toHaveLength(EMBEDDING_DIMENSIONS);
      embedding.forEach((value, d) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(value - reference.embeddings[i][d]))));
    });
    console.log(`onnxruntime-node vs NumPy reference: max |diff| ${maxAbsDiff.toExponential(2)} over ${embeddings.length} x ${EMBEDDING_DIMENSIONS} values`);
    expect(maxAbsDiff).toBeLessThan(TOLERANCE);
    // Alone (no padding) the same.
    const [alone] = await encoder.encode([reference.sentences[0]]);
    expect(Math.max(...alone.map((v, d) => Math.abs(v - reference.embeddings[0][d])))).toBeLessThan(TOLERANCE);
  });

  it('embeds a 700-word answer in at most 16 windows of at most 256 tokens, as a unit vector', async () => {
    const text = longAnswer(700);
    const windows = encoder.windows(text);
    const pieces = encoder.tokenizer.pieces(text).length;
    expect(pieces).toBeGreaterThan(MAX_WINDOW_PIECES);
    expect(windows.length).toBe(Math.ceil(pieces / MAX_WINDOW_PIECES));
    expect(windows.length).toBeLessThanOrEqual(MAX_WINDOWS);
    for (const w of windows) {
      expect(w.ids.length).toBeLessThanOrEqual(MAX_SEQ_LENGTH);
      expect([w.ids[0], w.ids.at(-1)]).toEqual([encoder.tokenizer.clsId, encoder.tokenizer.sepId]);
    }
    // Every piece in exactly one window, in order.
    expect(windows.flatMap((w) => w.ids.slice(1, -1))).toEqual(encoder.tokenizer.pieces(text));

    const [vector, firstSentence] = await encoder.encode([text, text.split('.')[0]]);
    expect(vector).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(norm(vector)).toBeCloseTo(1, 5);
    expect(cosine(vector, firstSentence)).toBeGreaterThan(0.3);
  });

  it("tokenises only a long text's first pieces when only those are used", () => {
    const text = `${longAnswer(4000)}\nÜber-long tail: naïve café, 中文, emoji 😀 and [UNK]-ish wordswithoutanyspacesatallforalongwhile`.repeat(3);
    const all = encoder.tokenizer.pieces(text);
    const limit = MAX_WINDOW_PIECES * MAX_WINDOWS;
    expect(all.length).toBeGreaterThan(3 * limit);
    for (const n of [1, 100, limit, all.length - 1, all.length, all.length + 1]) expect(encoder.tokenizer.pieces(text, n)).toEqual(all.slice(0, n));
    expect(encoder.windows(text).flatMap((w) => w.ids.slice(1, -1))).toEqual(all.slice(0, limit));
    expect(encoder.tokenizer.pieces('nospaces'.repeat(5000), 10)).toEqual(encoder.tokenizer.pieces('nospaces'.repeat(5000)).slice(0, 10));
  });

  it('ignores what a text has past 16 full windows', () => {
    const pieces = Array.from({ length: MAX_WINDOW_PIECES * MAX_WINDOWS + 500 }, (_, i) => 1000 + (i % 20000));
    const windows = tokenWindows(pieces, { clsId: 101, sepId: 102 });
    expect(windows).toHaveLength(MAX_WINDOWS);
    expect(windows.every((w) => w.ids.length === MAX_SEQ_LENGTH && w.weight === MAX_WINDOW_PIECES)).toBe(true);
    expect(windows.flatMap((w) => w.ids.slice(1, -1))).toEqual(pieces.slice(0, MAX_WINDOW_PIECES * MAX_WINDOWS));
  });

  it('averages windows weighted by their piece counts, re-normalised', () => {
    const x = Float32Array.from([1, 0]);
    const y = Float32Array.from([0, 1]);
    const mean = weightedUnitMean([x, y], [3, 1]);
    expect(Array.from(mean).map((v) => Number(v.toFixed(6)))).toEqual([Number((3 / Math.hypot(3, 1)).toFixed(6)), Number((1 / Math.hypot(3, 1)).toFixed(6))]);
    expect(weightedUnitMean([x], [7])).toBe(x);
  });

  it('encodes an empty text ([CLS][SEP]) and an empty list', async () => {
    expect(encoder.windows('')).toEqual([{ ids: [encoder.tokenizer.clsId, encoder.tokenizer.sepId], weight: 1 }]);
    const [empty] = await encoder.encode(['']);
    expect(norm(empty)).toBeCloseTo(1, 5);
    await expect(encoder.encode([])).resolves.toEqual([]);
  });

  it('finds a paraphrase closer than an unrelated answer', async () => {
    const [question, paraphrase, unrelated] = await encoder.encode([
      'I would add an index on the customer id column to speed up the slow query.',
      'To make that query faster, I would create an index on the customer_id field.',
      'My favourite holiday was a hiking trip in the mountains with my family.',
    ]);
    const close = cosine(question, paraphrase);
    const far = cosine(question, unrelated);
    console.log(`cosine: paraphrase ${close.toFixed(3)}, unrelated ${far.toFixed(3)}`);
    expect(close).toBeGreaterThan(0.7);
    expect(far).toBeLessThan(0.3);
    expect(close - far).toBeGreaterThan(0.4);
  });

  it('says how to make the model when its files are missing', async () => {
    await expect(SentenceEncoder.load(path.join(textModelDir(), 'no-such-dir'))).rejects.toThrow('bash scripts/models/ensure-text-model.sh');
  });
});
