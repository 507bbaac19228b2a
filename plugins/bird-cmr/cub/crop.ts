import { type CropWindow } from '../../../core/photo/crop-window';
import { CUB_FLIP_PERMUTATION } from '../keypoints';

/**
 * Original-image pixel coordinates to the crop's normalised coordinates (CMR's: -1 left/top edge,
 * +1 right/bottom edge), optionally mirrored left-right with left/right keypoints swapped.
 * @param points float [N*2] pixels
 * @param visible [N] 0/1; invisible points come out as 0
 * @returns normalised float64 [N*2] and visibility [N], in CUB's order after the flip permutation
 */
export function keypointsToCrop(
  points: ArrayLike<number>,
  visible: ArrayLike<number>,
  window: CropWindow,
  flip: boolean,
): { keypoints: Float64Array; visible: Uint8Array } {
  const n = visible.length;
  const kp = new Float64Array(2 * n);
  const vis = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // After a flip, slot i holds what was keypoint CUB_FLIP_PERMUTATION[i] (left eye <- right eye).
    const src = flip && n === CUB_FLIP_PERMUTATION.length ? CUB_FLIP_PERMUTATION[i] : i;
    if (!visible[src]) continue;
    const nx = (2 * (points[2 * src] - window.x)) / window.width - 1;
    const ny = (2 * (points[2 * src + 1] - window.y)) / window.height - 1;
    kp[2 * i] = flip ? -nx : nx;
    kp[2 * i + 1] = ny;
    vis[i] = 1;
  }
  return { keypoints: kp, visible: vis };
}

