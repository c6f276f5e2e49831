/** An SSD anchor's centre, normalised to the model input (0..1). */
export interface Anchor {
  readonly x: number;
  readonly y: number;
}

/**
 * MediaPipe's SsdAnchorsCalculator with fixed_anchor_size true, anchor_offset 0.5 and one aspect
 * ratio (the BlazeFace detectors): per layer a grid of input/stride cells, each with its anchors at
 * the cell centre; consecutive layers of the same stride share one grid, their anchors side by side
 * (MediaPipe's interpolated_scale_aspect_ratio adds one anchor per layer, so 2 per layer).
 * Order: grid (stride), then row, then column, then anchor in cell.
 * @param inputSize the square model input's side, pixels.
 * @param strides one per layer, e.g. [16, 32, 32, 32] (face_detection_back).
 */
export function ssdAnchors(inputSize: number, strides: readonly number[]): Anchor[] {
  const anchors: Anchor[] = [];
  let layer = 0;
  while (layer < strides.length) {
    let sameStride = 0;
    while (layer + sameStride < strides.length && strides[layer + sameStride] === strides[layer]) sameStride++;
    const grid = Math.ceil(inputSize / strides[layer]);
    const perCell = 2 * sameStride;
    for (let row = 0; row < grid; row++)
      for (let col = 0; col < grid; col++) for (let k = 0; k < perCell; k++) anchors.push({ x: (col + 0.5) / grid, y: (row + 0.5) / grid });
    layer += sameStride;
  }
  return anchors;
}
