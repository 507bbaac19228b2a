/** CUB-200-2011's 15 part keypoints, in the data set's own order (part ids 1..15 in parts/parts.txt). */
export const CUB_KEYPOINT_NAMES = [
  'back',
  'beak',
  'belly',
  'breast',
  'crown',
  'forehead',
  'left eye',
  'left leg',
  'left wing',
  'nape',
  'right eye',
  'right leg',
  'right wing',
  'tail',
  'throat',
] as const;

export type CubKeypointName = (typeof CUB_KEYPOINT_NAMES)[number];

/** Number of CUB part keypoints. */
export const CUB_KEYPOINT_COUNT = CUB_KEYPOINT_NAMES.length;

/**
 * The keypoint permutation of a horizontal flip: after mirroring an image, keypoint i of the flipped
 * image is keypoint CUB_FLIP_PERMUTATION[i] of the original (left and right eye, leg and wing swap).
 */
export const CUB_FLIP_PERMUTATION: readonly number[] = CUB_KEYPOINT_NAMES.map((name) => {
  const swapped = name.startsWith('left ')
    ? name.replace('left ', 'right ')
    : name.startsWith('right ')
      ? name.replace('right ', 'left ')
      : name;
  return CUB_KEYPOINT_NAMES.indexOf(swapped as CubKeypointName);
});
