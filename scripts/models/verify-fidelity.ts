/**
 * Fidelity check for the ONNX face models in models/.
 *
 *   npx tsx scripts/models/verify-fidelity.ts [--json FILE] [--bench] [--draw DIR]
 *
 * Run from the repository root after `bash scripts/models/fetch-and-convert.sh`
 * (which fetches the original TF.js models into .cache/models/ and installs
 * TensorFlow.js into .cache/tfjs/, outside the project's dependencies).
 *
 * What it proves:
 *  1. Conversion fidelity: the ORIGINAL TF.js graph models (TensorFlow.js, CPU
 *     backend) and our ONNX conversions (onnxruntime-node) get the very same
 *     batched inputs, built from real photos, and every output must agree to
 *     better than 1e-4 (max absolute difference; for the mesh's pixel
 *     coordinates, 1e-4 plus 1e-6 of the output's magnitude: see ATOL/RTOL).
 *  2. BlazeFace preprocessing: the copied detector finds the astronaut's face
 *     only with RGB scaled to [-1, 1] (x / 127.5 - 1), and finds no face in the
 *     cat and coffee photos; boxes are decoded with MediaPipe's SSD anchors.
 *  3. End to end sanity: BlazeFace box -> face mesh crop -> landmarks whose eyes,
 *     nose and mouth land on BlazeFace's own keypoints; emotion of the
 *     astronaut's (smiling) face is 'happy'.
 * With --bench it also times every ONNX model (median of 50 runs, batch 1) with
 * one intra-op thread and with onnxruntime's default threading.
 *
 * Exit code: 0 when everything holds, 1 when a check fails, 2 when the
 * prerequisites (cache, TF.js) are missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as tfCore from '@tensorflow/tfjs-core';
import type * as tfConverter from '@tensorflow/tfjs-converter';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

// ---------------------------------------------------------------------------
// Locations and constants (keep in step with fetch-and-convert.sh)
// ---------------------------------------------------------------------------
const ROOT = path.resolve(process.env.MODELS_REPO_ROOT ?? process.cwd());
const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const CACHE = path.resolve(ROOT, argValue('--cache') ?? '.cache/models');
const TFJS_DIR = path.resolve(ROOT, argValue('--tfjs') ?? '.cache/tfjs');
const FIXTURES = path.resolve(ROOT, argValue('--fixtures') ?? process.env.FACE_FIXTURES ?? 'test/fixtures/faces');
const MODELS = path.join(ROOT, 'models');
const HUMAN_MODELS = path.join(CACHE, 'human-models-3.0.4', 'models');

/**
 * Pass rule per output: max|ONNX - TF.js| < ATOL + RTOL * max|TF.js output|.
 * ATOL is the 1e-4 target. RTOL (1e-6, about 8 float32 ulps) only matters for
 * outputs in pixel units (face mesh coordinates up to ~190), where two float32
 * engines that merely sum in a different order already differ by ~1e-4 px; the
 * run also prints onnxruntime's own optimised-vs-unoptimised difference as
 * that noise floor.
 */
const ATOL = 1e-4;
const RTOL = 1e-6;
const EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
/** Luma weights human uses (MATLAB rgb2gray); oarriaga trained on FER-2013 greyscale. */
const GREY = [0.2989, 0.587, 0.114];
/** The astronaut's face as given in fixtures/faces/SOURCES.md (x 170..290, y 60..190). */
const ASTRONAUT_FACE = { left: 170, top: 60, width: 120, height: 130 };

interface Crop {
  left: number;
  top: number;
  width: number;
  height: number;
}
interface Image {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

// ---------------------------------------------------------------------------
// Image helpers (sharp)
// ---------------------------------------------------------------------------

/** Square crop of side `side` centred on a box, clamped to the image. */
function squareAround(box: Crop, scale: number, imgW: number, imgH: number): Crop {
  const cx = box.left + box.width / 2;
  const cy = box.top + box.height / 2;
  const side = Math.min(Math.round(Math.max(box.width, box.height) * scale), imgW, imgH);
  const left = Math.min(Math.max(Math.round(cx - side / 2), 0), imgW - side);
  const top = Math.min(Math.max(Math.round(cy - side / 2), 0), imgH - side);
  return { left, top, width: side, height: side };
}

/** Centre square of an image (used for the photos without a face). */
function centreSquare(w: number, h: number): Crop {
  const side = Math.min(w, h);
  return { left: Math.floor((w - side) / 2), top: Math.floor((h - side) / 2), width: side, height: side };
}

/** RGB pixels 0..255 of `crop` resized to size x size, HWC float. */
async function rgbPatch(file: string, crop: Crop | null, size: number): Promise<Image> {
  let pipeline = sharp(file).removeAlpha();
  if (crop) pipeline = pipeline.extract(crop);
  const { data, info } = await pipeline.resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { data: Float32Array.from(data), width: info.width, height: info.height, channels: info.channels };
}

/** Whole image letterboxed (aspect kept, black bars) into size x size, as BlazeFace/MediaPipe expects. */
async function letterbox(file: string, size: number): Promise<{ img: Image; scale: number; padX: number; padY: number }> {
  const meta = await sharp(file).metadata();
  const w = meta.width,
    h = meta.height;
  const scale = size / Math.max(w, h);
  const { data, info } = await sharp(file)
    .removeAlpha()
    .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    img: { data: Float32Array.from(data), width: info.width, height: info.height, channels: info.channels },
    scale,
    padX: (size - w * scale) / 2,
    padY: (size - h * scale) / 2,
  };
}

const map = (img: Image, f: (v: number) => number): Float32Array => img.data.map(f);

/** Emotion input: 64x64 grey, (grey/255 - 0.5) * 2, i.e. [-1, 1] (oarriaga preprocess_input v2, human gear/emotion.ts). */
async function emotionInput(file: string, crop: Crop | null): Promise<Float32Array> {
  const img = await rgbPatch(file, crop, 64);
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < out.length; i++) {
    const g = (GREY[0] * img.data[3 * i] + GREY[1] * img.data[3 * i + 1] + GREY[2] * img.data[3 * i + 2]) / 255;
    out[i] = (g - 0.5) * 2;
  }
  return out;
}

/** Face mesh input: 192x192 RGB scaled to [0, 1] (human facemeshutil.cutAndResize divides by 255). */
async function meshInput(file: string, crop: Crop | null): Promise<Float32Array> {
  return map(await rgbPatch(file, crop, 192), (v) => v / 255);
}

/** Deterministic pseudo-random tensor (LCG), so runs are repeatable. */
function noise(n: number, lo: number, hi: number, seed = 12345): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// BlazeFace (front, 128x128) decoding: MediaPipe SSD anchors
// ---------------------------------------------------------------------------
/**
 * MediaPipe face_detection_front (short range) SsdAnchorsCalculator options:
 * input 128x128, strides [8, 16, 16, 16], anchor_offset 0.5, aspect ratio 1,
 * fixed_anchor_size. Layers with the same stride share one grid, so this is
 * 16x16 cells x 2 anchors (512) followed by 8x8 cells x 6 anchors (384).
 * Anchor centres are normalised ((x + 0.5) / grid), width = height = 1.
 */
const BLAZEFACE_ANCHORS = [
  { stride: 8, grid: 16, perCell: 2 },
  { stride: 16, grid: 8, perCell: 6 },
];
function blazefaceAnchors(): [number, number][] {
  const anchors: [number, number][] = [];
  for (const { grid, perCell } of BLAZEFACE_ANCHORS) {
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        for (let n = 0; n < perCell; n++) anchors.push([(x + 0.5) / grid, (y + 0.5) / grid]);
      }
    }
  }
  return anchors;
}

interface Detection {
  score: number;
  box: Crop;
  keypoints: [number, number][];
}

/**
 * TensorsToDetectionsCalculator with x/y/w/h_scale = 128: raw[0..3] are the box
 * centre offset and size in 128-pixel units, raw[4..15] six keypoints (right
 * eye, left eye, nose tip, mouth centre, right ear, left ear — the subject's
 * right/left) as offsets from the anchor. Score = sigmoid(clamp(logit, ±100)).
 * Returns detections in input-pixel (0..128) coordinates after plain NMS.
 */
function decodeBlazeface(out: ort.InferenceSession.OnnxValueMapType, minScore = 0.5, iou = 0.3): Detection[] {
  const anchors = blazefaceAnchors();
  const scores = concat([out['Identity:0'].data as Float32Array, out['Identity_1:0'].data as Float32Array]);
  const raw = concat([out['Identity_2:0'].data as Float32Array, out['Identity_3:0'].data as Float32Array]);
  const S = 128;
  const dets: Detection[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, scores[i]))));
    if (score < minScore) continue;
    const r = raw.subarray(16 * i, 16 * i + 16);
    const [ax, ay] = anchors[i];
    const cx = r[0] / S + ax,
      cy = r[1] / S + ay,
      w = r[2] / S,
      h = r[3] / S;
    const keypoints: [number, number][] = [];
    for (let k = 0; k < 6; k++) keypoints.push([(r[4 + 2 * k] / S + ax) * S, (r[5 + 2 * k] / S + ay) * S]);
    dets.push({ score, box: { left: (cx - w / 2) * S, top: (cy - h / 2) * S, width: w * S, height: h * S }, keypoints });
  }
  dets.sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of dets) if (kept.every((k) => iouOf(k.box, d.box) < iou)) kept.push(d);
  return kept;
}

function iouOf(a: Crop, b: Crop): number {
  const x1 = Math.max(a.left, b.left),
    y1 = Math.max(a.top, b.top);
  const x2 = Math.min(a.left + a.width, b.left + b.width),
    y2 = Math.min(a.top + a.height, b.top + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

// ---------------------------------------------------------------------------
// TensorFlow.js (original models), loaded from the cache folder
// ---------------------------------------------------------------------------
/**
 * TF.js is loaded at run time from TFJS_DIR, outside the project's node_modules; its types are those of
 * the same pinned version (TFJS_VER in fetch-and-convert.sh) among the dev dependencies (type-only imports).
 */
interface Tf {
  tf: typeof tfCore;
  converter: typeof tfConverter;
}

function loadTfjs(): Tf {
  const req = createRequire(path.join(TFJS_DIR, 'package.json'));
  const tf = req('@tensorflow/tfjs-core') as typeof tfCore;
  req('@tensorflow/tfjs-backend-cpu');
  const converter = req('@tensorflow/tfjs-converter') as typeof tfConverter;
  return { tf, converter };
}

/** Load a TF.js graph model from disk through an in-memory IOHandler (no file:// loader without tfjs-node). */
function loadGraphModel(tfjs: Tf, jsonPath: string): Promise<tfConverter.GraphModel> {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as tfCore.io.ModelJSON;
  const dir = path.dirname(jsonPath);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const handler = tfjs.tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
  });
  return tfjs.converter.loadGraphModel(handler);
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
interface OutputDiff {
  output: string;
  shape: number[];
  maxAbsDiff: number;
  maxAbsValue: number;
  perSample: number[];
  /** max|diff| between onnxruntime with graph optimisations on and off: float32 rounding noise. */
  ortNoiseFloor: number;
  limit: number;
}
const maxAbs = (a: Float32Array, b: Float32Array): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

async function compare(
  tfjs: Tf,
  tfModel: tfConverter.GraphModel,
  session: ort.InferenceSession,
  unoptimised: ort.InferenceSession,
  input: Float32Array,
  shape: number[],
  outputs: { onnx: string; tfjs: string }[],
): Promise<{ diffs: OutputDiff[]; onnx: Record<string, Float32Array> }> {
  const x = tfjs.tf.tensor(input, shape, 'float32');
  const executed = tfModel.execute(
    x,
    outputs.map((o) => o.tfjs),
  );
  const tfOut = Array.isArray(executed) ? executed : [executed]; // one requested output comes back bare
  const ref = await Promise.all(tfOut.map((t) => t.data<'float32'>()));
  tfjs.tf.dispose([x, ...tfOut]);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, shape) };
  const res = await session.run(feeds);
  const plain = await unoptimised.run(feeds);
  const diffs: OutputDiff[] = [];
  const onnx: Record<string, Float32Array> = {};
  outputs.forEach((o, k) => {
    const got = res[o.onnx].data as Float32Array;
    onnx[o.onnx] = got;
    if (got.length !== ref[k].length) throw new Error(`${o.onnx}: ${got.length} values vs ${ref[k].length} in TF.js`);
    const per = got.length / shape[0];
    const perSample = new Array<number>(shape[0]).fill(0);
    let maxAbsValue = 0;
    for (let i = 0; i < got.length; i++) {
      const d = Math.abs(got[i] - ref[k][i]);
      const s = Math.floor(i / per);
      if (d > perSample[s] || Number.isNaN(d)) perSample[s] = Number.isNaN(d) ? Infinity : d;
      maxAbsValue = Math.max(maxAbsValue, Math.abs(ref[k][i]));
    }
    diffs.push({
      output: o.onnx,
      shape: res[o.onnx].dims as number[],
      maxAbsDiff: Math.max(...perSample),
      maxAbsValue,
      perSample,
      ortNoiseFloor: maxAbs(got, plain[o.onnx].data as Float32Array),
      limit: ATOL + RTOL * maxAbsValue,
    });
  });
  return { diffs, onnx };
}

async function bench(file: string, feeds: () => Record<string, ort.Tensor>): Promise<{ intraOp1Ms: number; defaultMs: number }> {
  const median = async (opts: ort.InferenceSession.SessionOptions): Promise<number> => {
    const s = await ort.InferenceSession.create(file, { logSeverityLevel: 3, ...opts });
    const f = feeds();
    for (let i = 0; i < 5; i++) await s.run(f);
    const t: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = process.hrtime.bigint();
      await s.run(f);
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    await s.release();
    t.sort((a, b) => a - b);
    return Math.round(((t[24] + t[25]) / 2) * 1000) / 1000;
  };
  return { intraOp1Ms: await median({ intraOpNumThreads: 1, interOpNumThreads: 1 }), defaultMs: await median({}) };
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------
async function main(): Promise<number> {
  for (const need of [
    path.join(HUMAN_MODELS, 'emotion.json'),
    path.join(HUMAN_MODELS, 'facemesh.json'),
    path.join(TFJS_DIR, 'node_modules/@tensorflow/tfjs-core'),
  ]) {
    if (!fs.existsSync(need)) {
      console.error(`missing ${need}: run \`bash scripts/models/fetch-and-convert.sh\` first`);
      return 2;
    }
  }
  const img = (name: string) => path.join(FIXTURES, name);
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };
  const opts: ort.InferenceSession.SessionOptions = { logSeverityLevel: 3 }; // the copied BlazeFace file has unused initializers ORT warns about

  // -- BlazeFace: normalisation and anchors -----------------------------------
  console.log('BlazeFace (models/blazeface-front-128.onnx)');
  const bfFile = path.join(MODELS, 'blazeface-front-128.onnx');
  const bf = await ort.InferenceSession.create(bfFile, opts);
  const detect = async (file: string, norm: (v: number) => number) => {
    const lb = await letterbox(file, 128);
    const out = await bf.run({ [bf.inputNames[0]]: new ort.Tensor('float32', map(lb.img, norm), [1, 128, 128, 3]) });
    const toImage = (x: number, y: number): [number, number] => [(x - lb.padX) / lb.scale, (y - lb.padY) / lb.scale];
    return decodeBlazeface(out, 0.5).map((d) => {
      const [l, t] = toImage(d.box.left, d.box.top);
      return {
        score: d.score,
        box: { left: l, top: t, width: d.box.width / lb.scale, height: d.box.height / lb.scale },
        keypoints: d.keypoints.map(([x, y]) => toImage(x, y)),
      };
    });
  };
  const norms: Record<string, (v: number) => number> = {
    'x/127.5-1 ([-1,1])': (v) => v / 127.5 - 1,
    'x/255 ([0,1])': (v) => v / 255,
    'x ([0,255])': (v) => v,
  };
  const blazeface: Record<string, unknown> = {};
  for (const [label, norm] of Object.entries(norms)) {
    const dets = await detect(img('astronaut.png'), norm);
    const best = dets.at(0);
    const iou = best ? iouOf(best.box, ASTRONAUT_FACE) : 0;
    console.log(
      `  astronaut, ${label}: ${dets.length} detection(s)${best ? `, best score ${best.score.toFixed(4)}, IoU with the known face box ${iou.toFixed(2)}` : ''}`,
    );
    blazeface[label] = { detections: dets.length, bestScore: best?.score ?? 0, iouWithKnownFace: iou };
  }
  const faces = await detect(img('astronaut.png'), norms['x/127.5-1 ([-1,1])']);
  check(
    faces.length === 1 && faces[0].score > 0.75 && iouOf(faces[0].box, ASTRONAUT_FACE) > 0.5,
    'exactly one face on astronaut.png with [-1,1] input, score > 0.75, IoU > 0.5 with x170..290 y60..190',
  );
  for (const name of ['chelsea.png', 'coffee.png']) {
    const d = await detect(img(name), norms['x/127.5-1 ([-1,1])']);
    check(d.length === 0, `no face on ${name} (best score ${d[0]?.score.toFixed(3) ?? '< 0.5'})`);
    blazeface[name] = { detections: d.length };
  }
  const face = faces.at(0);
  if (face) {
    const r = (p: [number, number]) => p.map((v) => Math.round(v));
    console.log(
      `  face box x ${Math.round(face.box.left)}..${Math.round(face.box.left + face.box.width)} y ${Math.round(face.box.top)}..${Math.round(face.box.top + face.box.height)}; keypoints`,
      ['rightEye', 'leftEye', 'noseTip', 'mouth', 'rightEar', 'leftEar'].map((k, i) => `${k} ${r(face.keypoints[i]).join(',')}`).join('; '),
    );
    // The subject's right eye is on the image's left.
    check(face.keypoints[0][0] < face.keypoints[1][0], "keypoint 0 (subject's right eye) is left of keypoint 1 in the image");
    blazeface.astronautFace = { score: face.score, box: face.box, keypoints: face.keypoints };
  }

  // -- TF.js vs ONNX ----------------------------------------------------------
  const tfjs = loadTfjs();
  tfjs.tf.env().set('PROD', true); // silences the "install tfjs-node" banner; affects no arithmetic
  await tfjs.tf.setBackend('cpu');
  await tfjs.tf.ready();
  console.log(`TensorFlow.js ${tfjs.tf.version_core} (backend ${tfjs.tf.getBackend()}) vs onnxruntime-node ${ort.env.versions.common}`);
  const astronautSize = { w: 512, h: 512 };
  const fixedFace = squareAround(ASTRONAUT_FACE, 1, astronautSize.w, astronautSize.h);
  const meshCrop = (b: Crop) => squareAround(b, 1.5, astronautSize.w, astronautSize.h); // MediaPipe face ROI: detection box x1.5
  const sq = async (name: string) => {
    const m = await sharp(img(name)).metadata();
    return centreSquare(m.width, m.height);
  };

  // Emotion
  console.log('Emotion mini-Xception (models/emotion-mini-xception.onnx)');
  const emoTf = await loadGraphModel(tfjs, path.join(HUMAN_MODELS, 'emotion.json'));
  const emoOnnx = await ort.InferenceSession.create(path.join(MODELS, 'emotion-mini-xception.onnx'), opts);
  const emoPlain = await ort.InferenceSession.create(path.join(MODELS, 'emotion-mini-xception.onnx'), { ...opts, graphOptimizationLevel: 'disabled' });
  const emoSamples = ['astronaut face (x170..290 y60..190)', 'chelsea centre square', 'coffee centre square', 'uniform noise [-1,1]'];
  const emoBatch = concat([
    await emotionInput(img('astronaut.png'), fixedFace),
    await emotionInput(img('chelsea.png'), await sq('chelsea.png')),
    await emotionInput(img('coffee.png'), await sq('coffee.png')),
    noise(64 * 64, -1, 1),
  ]);
  const emo = await compare(tfjs, emoTf, emoOnnx, emoPlain, emoBatch, [4, 64, 64, 1], [{ onnx: 'probabilities', tfjs: 'Identity' }]);
  const probs = emo.onnx.probabilities;
  const top = (row: number) => {
    const p = Array.from(probs.subarray(7 * row, 7 * row + 7));
    const i = p.indexOf(Math.max(...p));
    return { label: EMOTION_LABELS[i], p: p[i], all: Object.fromEntries(EMOTION_LABELS.map((l, j) => [l, Math.round(p[j] * 1e4) / 1e4])) };
  };
  emoSamples.forEach((s, i) => {
    console.log(`  ${s}: max|diff| ${emo.diffs[0].perSample[i].toExponential(2)}; top ${top(i).label} ${top(i).p.toFixed(3)}`);
  });
  let emotionBlaze: ReturnType<typeof top> | undefined;
  if (face) {
    const tight = squareAround(face.box, 1, astronautSize.w, astronautSize.h);
    const r = await emoOnnx.run({ input: new ort.Tensor('float32', await emotionInput(img('astronaut.png'), tight), [1, 64, 64, 1]) });
    const p = Array.from(r.probabilities.data as Float32Array);
    const i = p.indexOf(Math.max(...p));
    emotionBlaze = { label: EMOTION_LABELS[i], p: p[i], all: Object.fromEntries(EMOTION_LABELS.map((l, j) => [l, Math.round(p[j] * 1e4) / 1e4])) };
    console.log(`  astronaut, BlazeFace box squared: ${emotionBlaze.label} ${emotionBlaze.p.toFixed(3)}`, emotionBlaze.all);
  }
  const ed = emo.diffs[0];
  console.log(
    `  probabilities ${JSON.stringify(ed.shape)}: max|diff| ${ed.maxAbsDiff.toExponential(2)}; onnxruntime noise floor ${ed.ortNoiseFloor.toExponential(2)}`,
  );
  check(ed.maxAbsDiff < ed.limit, `emotion probabilities max|diff| ${ed.maxAbsDiff.toExponential(2)} < ${ed.limit.toExponential(2)}`);
  check(top(0).label === 'happy', `astronaut face is 'happy' (${JSON.stringify(top(0).all)})`);

  // Face mesh
  console.log('Face mesh 468 (models/facemesh-468.onnx)');
  const meshTf = await loadGraphModel(tfjs, path.join(HUMAN_MODELS, 'facemesh.json'));
  const meshOnnx = await ort.InferenceSession.create(path.join(MODELS, 'facemesh-468.onnx'), opts);
  const meshPlain = await ort.InferenceSession.create(path.join(MODELS, 'facemesh-468.onnx'), { ...opts, graphOptimizationLevel: 'disabled' });
  const astroMeshCrop = meshCrop(face ? face.box : ASTRONAUT_FACE);
  const meshSamples = [
    `astronaut face ROI (BlazeFace box x1.5: x${astroMeshCrop.left}+${astroMeshCrop.width} y${astroMeshCrop.top}+${astroMeshCrop.height})`,
    'chelsea centre square',
    'coffee centre square',
    'uniform noise [0,1]',
  ];
  const meshBatch = concat([
    await meshInput(img('astronaut.png'), astroMeshCrop),
    await meshInput(img('chelsea.png'), await sq('chelsea.png')),
    await meshInput(img('coffee.png'), await sq('coffee.png')),
    noise(192 * 192 * 3, 0, 1),
  ]);
  const mesh = await compare(
    tfjs,
    meshTf,
    meshOnnx,
    meshPlain,
    meshBatch,
    [4, 192, 192, 3],
    [
      { onnx: 'landmarks', tfjs: 'Identity_2' },
      { onnx: 'face_flag', tfjs: 'Identity_1' },
      { onnx: 'contours', tfjs: 'Identity' },
    ],
  );
  for (const d of mesh.diffs) {
    console.log(
      `  ${d.output} ${JSON.stringify(d.shape)}: max|diff| ${d.maxAbsDiff.toExponential(2)} (values up to ${d.maxAbsValue.toFixed(2)}, relative ${(d.maxAbsDiff / d.maxAbsValue).toExponential(1)}); ` +
        `per sample ${d.perSample.map((v) => v.toExponential(1)).join(' ')}; onnxruntime noise floor ${d.ortNoiseFloor.toExponential(2)}`,
    );
    check(d.maxAbsDiff < d.limit, `facemesh ${d.output} max|diff| ${d.maxAbsDiff.toExponential(2)} < ${d.limit.toExponential(2)}`);
  }
  const flags = mesh.onnx.face_flag;
  meshSamples.forEach((s, i) => {
    console.log(`  ${s}: face_flag ${flags[i].toFixed(4)}`);
  });
  check(flags[0] > 0.9, `face flag on the astronaut ROI ${flags[0].toFixed(3)} > 0.9`);
  // Landmarks of sample 0 back to image pixels; compare with BlazeFace's keypoints.
  const lm = mesh.onnx.landmarks.subarray(0, 1404);
  const toImg = (i: number): [number, number] => [
    astroMeshCrop.left + (lm[3 * i] / 192) * astroMeshCrop.width,
    astroMeshCrop.top + (lm[3 * i + 1] / 192) * astroMeshCrop.height,
  ];
  const mid = (a: number, b: number): [number, number] => {
    const p = toImg(a),
      q = toImg(b);
    return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
  };
  // MediaPipe canonical indices: eye corners 33/133 (subject's right) and 362/263 (left), nose tip 1, lips 13/14.
  const meshPoints: Record<string, [number, number]> = {
    rightEye: mid(33, 133),
    leftEye: mid(362, 263),
    noseTip: toImg(1),
    mouth: mid(13, 14),
  };
  const sanity: Record<string, unknown> = {};
  if (face) {
    const names = ['rightEye', 'leftEye', 'noseTip', 'mouth'];
    const eyeDist = Math.hypot(face.keypoints[1][0] - face.keypoints[0][0], face.keypoints[1][1] - face.keypoints[0][1]);
    names.forEach((n, k) => {
      const [mx, my] = meshPoints[n];
      const dist = Math.hypot(mx - face.keypoints[k][0], my - face.keypoints[k][1]);
      sanity[n] = { mesh: [Math.round(mx), Math.round(my)], blazeface: face.keypoints[k].map(Math.round), distancePx: Math.round(dist * 10) / 10 };
      console.log(`  ${n}: mesh ${Math.round(mx)},${Math.round(my)} vs BlazeFace ${face.keypoints[k].map(Math.round).join(',')} (${dist.toFixed(1)} px)`);
      // Two independent models should agree to within a quarter of the eye distance.
      check(dist < eyeDist / 4, `mesh ${n} within ${(eyeDist / 4).toFixed(0)} px of BlazeFace's`);
    });
  }

  // -- Optional drawing ---------------------------------------------------------
  const drawDir = argValue('--draw');
  if (drawDir && face) {
    fs.mkdirSync(drawDir, { recursive: true });
    const dots = Array.from({ length: 468 }, (_, i) => {
      const [x, y] = toImg(i);
      return `<circle cx="${x}" cy="${y}" r="1.2" fill="lime"/>`;
    }).join('');
    const kps = face.keypoints.map(([x, y]) => `<circle cx="${x}" cy="${y}" r="3" fill="red"/>`).join('');
    const b = face.box;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><rect x="${b.left}" y="${b.top}" width="${b.width}" height="${b.height}" fill="none" stroke="red" stroke-width="2"/>${dots}${kps}</svg>`;
    const out = path.join(drawDir, 'astronaut-blazeface-facemesh.png');
    await sharp(img('astronaut.png'))
      .composite([{ input: Buffer.from(svg) }])
      .png()
      .toFile(out);
    console.log(`  drew ${out}`);
  }

  // -- Optional timing ------------------------------------------------------------
  let timing: Record<string, unknown> | undefined;
  if (args.includes('--bench')) {
    console.log('Timing (batch 1, median of 50 runs after 5 warm-up runs)');
    timing = {
      'blazeface-front-128.onnx': await bench(bfFile, () => ({ 'input:0': new ort.Tensor('float32', noise(128 * 128 * 3, -1, 1), [1, 128, 128, 3]) })),
      'emotion-mini-xception.onnx': await bench(path.join(MODELS, 'emotion-mini-xception.onnx'), () => ({
        input: new ort.Tensor('float32', emoBatch.slice(0, 4096), [1, 64, 64, 1]),
      })),
      'facemesh-468.onnx': await bench(path.join(MODELS, 'facemesh-468.onnx'), () => ({
        input: new ort.Tensor('float32', meshBatch.slice(0, 192 * 192 * 3), [1, 192, 192, 3]),
      })),
    };
    for (const [k, v] of Object.entries(timing)) console.log(`  ${k}: ${JSON.stringify(v)}`);
  }

  const jsonOut = argValue('--json');
  if (jsonOut) {
    const report = {
      tolerance: `max|diff| < ${ATOL} + ${RTOL} * max|reference| per output`,
      tfjsVersion: tfjs.tf.version_core,
      onnxruntimeVersion: ort.env.versions.common,
      emotion: {
        samples: emoSamples,
        maxAbsDiff: { probabilities: emo.diffs[0].maxAbsDiff },
        maxAbsReference: { probabilities: emo.diffs[0].maxAbsValue },
        ortNoiseFloor: { probabilities: emo.diffs[0].ortNoiseFloor },
        perSample: { probabilities: emo.diffs[0].perSample },
        astronautFixedCrop: top(0),
        astronautBlazefaceCrop: emotionBlaze,
      },
      facemesh: {
        samples: meshSamples,
        maxAbsDiff: Object.fromEntries(mesh.diffs.map((d) => [d.output, d.maxAbsDiff])),
        maxAbsReference: Object.fromEntries(mesh.diffs.map((d) => [d.output, d.maxAbsValue])),
        ortNoiseFloor: Object.fromEntries(mesh.diffs.map((d) => [d.output, d.ortNoiseFloor])),
        perSample: Object.fromEntries(mesh.diffs.map((d) => [d.output, d.perSample])),
        faceFlag: Array.from(flags),
        landmarksVsBlazeface: sanity,
      },
      blazeface,
      timing,
      failures,
    };
    fs.writeFileSync(jsonOut, JSON.stringify(report, null, 2) + '\n');
  }
  console.log(failures.length ? `${failures.length} check(s) FAILED` : 'all checks passed');
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
