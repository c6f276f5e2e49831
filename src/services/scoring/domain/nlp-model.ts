/**
 * The one shared winkNLP instance of the scoring domain (`wink-nlp` + `wink-eng-lite-web-model`).
 * Loading the English model takes ~100 ms, so it happens once, when this module is first imported.
 * winkNLP is synchronous and deterministic: the same text always yields the same tokens, POS tags
 * (Universal Dependencies tag set), lemmas, stop-word flags and entities.
 */
import winkNLP, { type ItsHelpers } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/** `T`'s methods typed as the plain functions (properties, not methods) that they are. */
type PlainFunctions<T> = { readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => R : T[K] };

/** The loaded winkNLP pipeline (tokeniser, sentence boundary detection, POS tagger, NER, …). */
export const nlp = winkNLP(model);

/**
 * winkNLP's `its` helpers (token properties: `its.lemma`, `its.pos`, `its.stopWordFlag`, …). winkNLP's
 * typings declare them as methods, but they are plain functions that winkNLP recognises by identity
 * (any other function maps to `its.value`): pass them as they are, never bound or wrapped.
 */
export const its: PlainFunctions<ItsHelpers> = nlp.its;
