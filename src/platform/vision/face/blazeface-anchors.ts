/**
 * SSD anchors of MediaPipe's BlazeFace front model (128x128 input), as MediaPipe's
 * face_detection_front SsdAnchorsCalculator options generate them: 4 layers with strides
 * 8, 16, 16, 16, 2 anchors per cell per layer, fixed anchor size, offset 0.5. Layers of the same
 * stride share one grid, giving a 16x16 grid with 2 anchors per cell (512) and an 8x8 grid with
 * 6 anchors per cell (384): 896 anchors, in the order of the model's outputs.
 * Source: mediapipe/modules/face_detection/face_detection_front_cpu.pbtxt; BlazeFace, Bazarevsky et
 * al. 2019, arXiv:1907.05047.
 */
export interface Anchor {
  /** Centre, 0..1 of the input width/height. */
  readonly x: number;
  readonly y: number;
}

export const BLAZEFACE_INPUT_SIZE = 128;

function generateAnchors(): readonly Anchor[] {
  const anchors: Anchor[] = [];
  const grids: readonly [gridSize: number, perCell: number][] = [
    [16, 2],
    [8, 6],
  ];
  for (const [gridSize, perCell] of grids) {
    for (let row = 0; row < gridSize; row++) {
      for (let col = 0; col < gridSize; col++) {
        for (let k = 0; k < perCell; k++) anchors.push({ x: (col + 0.5) / gridSize, y: (row + 0.5) / gridSize });
      }
    }
  }
  return Object.freeze(anchors);
}

export const BLAZEFACE_ANCHORS = generateAnchors();
