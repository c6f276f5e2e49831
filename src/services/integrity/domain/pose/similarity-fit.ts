/**
 * The least-squares similarity transform between two matched 3D point sets: the rotation R, scale s
 * and translation t minimising sum_i w_i |target_i - (s R source_i + t)|^2 (Umeyama 1991, "Least-
 * squares estimation of transformation parameters between two point patterns", IEEE TPAMI 13(4)).
 * The rotation is found by Horn's closed form with unit quaternions (Horn 1987, JOSA A 4(4),
 * "Closed-form solution of absolute orientation using unit quaternions"): the eigenvector of the
 * largest eigenvalue of a symmetric 4x4 matrix built from the cross-covariance. Unlike an SVD-based
 * Kabsch it can never return a reflection, and a 4x4 Jacobi eigensolver is a few lines.
 */

/** A similarity transform target ≈ scale * rotation * source + translation. */
export interface SimilarityFit {
  /** Row-major 3x3 rotation matrix (orthonormal, determinant +1). */
  readonly rotation: Float64Array;
  /** Target units per source unit. */
  readonly scale: number;
  /** Translation, in target units. */
  readonly translation: readonly [number, number, number];
  /** Weighted root-mean-square of |target_i / scale - (R source_i + t / scale)|: the misfit in source units. */
  readonly rmsResidual: number;
}

/**
 * Fits `target` ≈ s R `source` + t over matched points.
 * @param source Float64Array or Float32Array [n * 3]: x, y, z per point.
 * @param target the same layout and point order as `source`.
 * @param weights optional [n], non-negative, not all zero; every point weighs 1 when omitted.
 * @throws RangeError when the lengths disagree, fewer than 3 points carry weight, a value is not
 *   finite, or the source points are all at one place.
 */
export function fitSimilarity(source: ArrayLike<number>, target: ArrayLike<number>, weights?: ArrayLike<number>): SimilarityFit {
  const n = source.length / 3;
  if (!Number.isInteger(n) || source.length !== target.length)
    throw new RangeError(`source and target must be [n * 3] of equal length, got ${source.length} and ${target.length}`);
  if (weights && weights.length !== n) throw new RangeError(`weights must have ${n} entries, got ${weights.length}`);
  const w = (i: number) => (weights ? weights[i] : 1);
  let total = 0;
  let weighted = 0;
  const meanS = [0, 0, 0];
  const meanT = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const wi = w(i);
    if (!(wi >= 0) || !Number.isFinite(wi)) throw new RangeError(`weight ${i} is ${wi}: weights must be finite and non-negative`);
    if (wi > 0) weighted++;
    total += wi;
    for (let k = 0; k < 3; k++) {
      const s = source[i * 3 + k];
      const t = target[i * 3 + k];
      if (!Number.isFinite(s) || !Number.isFinite(t)) throw new RangeError(`point ${i} has a coordinate that is not finite`);
      meanS[k] += wi * s;
      meanT[k] += wi * t;
    }
  }
  if (weighted < 3) throw new RangeError(`a rigid fit needs at least 3 weighted points, got ${weighted}`);
  for (let k = 0; k < 3; k++) {
    meanS[k] /= total;
    meanT[k] /= total;
  }

  // Cross-covariance S[a][b] = sum w (source_a - mean)(target_b - mean), and the source's spread.
  const S = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const wi = w(i);
    for (let a = 0; a < 3; a++) {
      const sa = source[i * 3 + a] - meanS[a];
      spread += wi * sa * sa;
      for (let b = 0; b < 3; b++) S[a][b] += wi * sa * (target[i * 3 + b] - meanT[b]);
    }
  }
  if (!(spread > 1e-12 * total)) throw new RangeError('the source points are all at one place: no rotation can be fitted');

  const [sxx, sxy, sxz] = S[0];
  const [syx, syy, syz] = S[1];
  const [szx, szy, szz] = S[2];
  // Horn's N: its largest eigenvalue's eigenvector is the rotation's quaternion (w, x, y, z).
  const N = [
    [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
    [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
    [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
    [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
  ];
  const [q0, qx, qy, qz] = largestEigenvector(N);
  const rotation = Float64Array.from([
    q0 * q0 + qx * qx - qy * qy - qz * qz,
    2 * (qx * qy - q0 * qz),
    2 * (qx * qz + q0 * qy),
    2 * (qy * qx + q0 * qz),
    q0 * q0 - qx * qx + qy * qy - qz * qz,
    2 * (qy * qz - q0 * qx),
    2 * (qz * qx - q0 * qy),
    2 * (qz * qy + q0 * qx),
    q0 * q0 - qx * qx - qy * qy + qz * qz,
  ]);

  // Umeyama's scale: trace(R S) / spread, where R S pairs each rotated source with its target.
  let traceRS = 0;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) traceRS += rotation[b * 3 + a] * S[a][b];
  const scale = traceRS / spread;
  const rotated = (i: number, k: number) =>
    rotation[k * 3] * (source[i * 3] - meanS[0]) + rotation[k * 3 + 1] * (source[i * 3 + 1] - meanS[1]) + rotation[k * 3 + 2] * (source[i * 3 + 2] - meanS[2]);
  const translation: [number, number, number] = [0, 1, 2].map(
    (k) => meanT[k] - scale * (rotation[k * 3] * meanS[0] + rotation[k * 3 + 1] * meanS[1] + rotation[k * 3 + 2] * meanS[2]),
  ) as [number, number, number];
  let misfit = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const d = (target[i * 3 + k] - meanT[k]) / scale - rotated(i, k);
      misfit += w(i) * d * d;
    }
  }
  return { rotation, scale, translation, rmsResidual: Math.sqrt(misfit / total) };
}

/** Unit eigenvector of the largest eigenvalue of a symmetric 4x4 matrix, by cyclic Jacobi rotations. */
function largestEigenvector(matrix: readonly (readonly number[])[]): [number, number, number, number] {
  const a = matrix.map((row) => [...row]);
  const v: number[][] = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 3; p++) for (let q = p + 1; q < 4; q++) off += a[p][q] * a[p][q];
    if (off < 1e-30) break;
    for (let p = 0; p < 3; p++) {
      for (let q = p + 1; q < 4; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < 4; i++) if (a[i][i] > a[best][best]) best = i;
  const q = [v[0][best], v[1][best], v[2][best], v[3][best]];
  const norm = Math.hypot(...q);
  return [q[0] / norm, q[1] / norm, q[2] / norm, q[3] / norm];
}
