import * as ort from 'onnxruntime-node';
import { ONE_THREAD_SESSION_OPTIONS, type OnnxSessionTuning } from '../../onnx/session-options';
import { FloatTensor, InferenceModel } from '../inference-model';

/** An ONNX model loaded once in onnxruntime-node (CPU execution provider). */
export class OnnxModel implements InferenceModel {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(file: string, options: OnnxSessionTuning = {}): Promise<OnnxModel> {
    const session = await ort.InferenceSession.create(file, {
      ...ONE_THREAD_SESSION_OPTIONS,
      ...options,
      // Warnings only: the converted graphs carry unused initialisers ORT reports at every load.
      logSeverityLevel: 3,
    });
    return new OnnxModel(session);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Readonly<Record<string, FloatTensor>>): Promise<Record<string, FloatTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', tensor.data, tensor.dims);
    const results = await this.session.run(ortFeeds);
    const outputs: Record<string, FloatTensor> = {};
    for (const [name, tensor] of Object.entries(results)) {
      outputs[name] = { dims: tensor.dims, data: tensor.data as Float32Array };
    }
    return outputs;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
