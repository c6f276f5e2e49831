/**
 * BERT's WordPiece tokenizer (lower-casing, accent stripping, punctuation and CJK splitting, `##`
 * sub-words, [UNK]), as a Hugging Face tokenizer.json describes it, run by @huggingface/tokenizers
 * (Hugging Face's pure-JS implementation, pinned to 0.2.0). It gives the same ids as Hugging Face's
 * Rust `tokenizers` (test/unit/scoring/sentence-encoder.test.ts compares them on the reference
 * sentences). tokenizer.json's own padding and truncation settings (all-MiniLM-L6-v2's file pads
 * and truncates to 128) are not applied: windows.ts cuts long texts, the encoder pads its batches.
 */
import fs from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';

/** Characters per word piece to try first when only the first pieces of a text are wanted (English averages ~4.5). */
const CHARS_PER_PIECE = 8;

export class WordPieceTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    /** Id of [CLS], which starts every sequence. */
    readonly clsId: number,
    /** Id of [SEP], which ends every sequence. */
    readonly sepId: number,
  ) {}

  /** Reads a tokenizer.json; throws when it cannot be read or parsed, or has no [CLS] or [SEP]. */
  static async fromFile(file: string): Promise<WordPieceTokenizer> {
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as object;
    // The second argument is tokenizer_config.json's content, of which the library reads only
    // options this model's file does not set (remove_space, do_lowercase_and_remove_accent, ...).
    const tokenizer = new Tokenizer(json, {});
    const cls = tokenizer.token_to_id('[CLS]');
    const sep = tokenizer.token_to_id('[SEP]');
    if (cls === undefined || sep === undefined) throw new Error(`${file} has no [CLS] or [SEP] token`);
    return new WordPieceTokenizer(tokenizer, cls, sep);
  }

  /**
   * The word-piece ids of `text`, without [CLS] and [SEP]; none for an empty or blank text. With a
   * `limit`, the first `limit` of them, tokenising no more of a long text than it takes: prefixes
   * cut at a space, tab or line break (which ends a word, so their pieces begin the text's), each
   * 4 times longer than the last, the whole text last. Tokenising runs on the calling thread, ~0.5 s
   * per 100,000 words: the limit keeps a huge text from holding it that long.
   */
  pieces(text: string, limit = Infinity): number[] {
    for (let chars = limit * CHARS_PER_PIECE; chars < text.length; chars *= 4) {
      const cut = Math.max(...['\n', '\r', '\t', ' '].map((c) => text.lastIndexOf(c, chars)));
      if (cut <= 0) break;
      const ids = this.ids(text.slice(0, cut));
      if (ids.length >= limit) return ids.slice(0, limit);
    }
    return this.ids(text).slice(0, limit);
  }

  /** The ids of `text` as one sequence: [CLS], its word pieces (however many), [SEP]. */
  encode(text: string): number[] {
    return [this.clsId, ...this.pieces(text), this.sepId];
  }

  private ids(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }
}
