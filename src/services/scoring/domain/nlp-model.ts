/**
 * The one shared winkNLP instance of the scoring domain (`wink-nlp` + `wink-eng-lite-web-model`).
 * Loading the English model takes ~100 ms, so it happens once, when this module is first imported.
 * winkNLP is synchronous and deterministic: the same text always yields the same tokens, POS tags
 * (Universal Dependencies tag set), lemmas, stop-word flags and entities.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/** The loaded winkNLP pipeline (tokeniser, sentence boundary detection, POS tagger, NER, …). */
export const nlp = winkNLP(model);

/** winkNLP's `its` helpers (token properties: `its.lemma`, `its.pos`, `its.stopWordFlag`, …). */
export const its = nlp.its;
