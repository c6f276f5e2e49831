/** A float32 tensor as plain data: shape and values (row-major). */
export interface FloatTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/**
 * The narrow interface domain code runs models through: named float inputs in, named float
 * outputs out. OnnxModel implements it on onnxruntime-node; tests may pass anything that does.
 */
export interface InferenceModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, FloatTensor>>): Promise<Record<string, FloatTensor>>;
}
