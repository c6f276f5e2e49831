/**
 * How a text longer than the model's input is embedded: cut into consecutive windows, each embedded
 * alone, their vectors averaged weighted by their lengths. Pure functions, no model.
 */

/** all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json): tokens per sequence, [CLS] and [SEP] included. */
export const MAX_SEQ_LENGTH = 256;
/** Word pieces per window: MAX_SEQ_LENGTH less [CLS] and [SEP]. */
export const MAX_WINDOW_PIECES = MAX_SEQ_LENGTH - 2;
/** Windows per text at most: 16 x 254 = 4064 word pieces (roughly 3000 English words); the rest of a longer text is ignored. */
export const MAX_WINDOWS = 16;

/** One sequence for the model. */
export interface TokenWindow {
  /** [CLS], the window's word pieces, [SEP]: at most MAX_SEQ_LENGTH ids. */
  readonly ids: readonly number[];
  /** The window's weight in its text's vector: its count of word pieces (1 for an empty text's [CLS][SEP]). */
  readonly weight: number;
}

export interface WindowOptions {
  readonly clsId: number;
  readonly sepId: number;
  /** Word pieces per window at most; MAX_WINDOW_PIECES by default. */
  readonly maxPieces?: number;
  /** Windows at most; MAX_WINDOWS by default. */
  readonly maxWindows?: number;
}

/**
 * A text's word pieces (without [CLS]/[SEP]) as model sequences. Up to `maxPieces` pieces: one
 * window, exactly what sentence-transformers feeds the model. Longer: the fewest windows that hold
 * them, consecutive, without overlap, of equal size give or take one piece (so that no window is a
 * short tail with little context); a window may start inside a word (its `##` pieces). Past
 * `maxWindows` full windows the remaining pieces are ignored. No pieces (an empty or blank text):
 * one window [CLS][SEP] of weight 1.
 */
export function tokenWindows(pieces: readonly number[], options: WindowOptions): TokenWindow[] {
  const maxPieces = options.maxPieces ?? MAX_WINDOW_PIECES;
  const maxWindows = options.maxWindows ?? MAX_WINDOWS;
  const wrap = (slice: readonly number[]): TokenWindow => ({ ids: [options.clsId, ...slice, options.sepId], weight: Math.max(1, slice.length) });
  if (pieces.length <= maxPieces) return [wrap(pieces)];
  const used = Math.min(pieces.length, maxPieces * maxWindows);
  const count = Math.ceil(used / maxPieces);
  const windows: TokenWindow[] = [];
  for (let i = 0; i < count; i++) windows.push(wrap(pieces.slice(Math.floor((i * used) / count), Math.floor(((i + 1) * used) / count))));
  return windows;
}
