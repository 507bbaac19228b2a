import type { Quaternion } from './quaternion';
import { matrixToQuaternion } from './quaternion';

/**
 * Camera rotations (model -> camera, camera x right, y down, looking along +z) that show the mean
 * shape (x the bird's left, y up, z forward) from canonical directions.
 */
export const BIRD_VIEW_ROTATIONS = {
  /** The bird's left flank, beak pointing left, back up. */
  side: [0, 0, -1, 0, -1, 0, -1, 0, 0],
  /** From above, beak up the image, the bird's left on the image's left. */
  top: [-1, 0, 0, 0, 0, -1, 0, -1, 0],
  /** Facing the beak, back up, the bird's left on the image's right. */
  front: [1, 0, 0, 0, -1, 0, 0, 0, -1],
} as const satisfies Record<string, readonly number[]>;

export type BirdView = keyof typeof BIRD_VIEW_ROTATIONS;

/** The quaternion [w, x, y, z] of a canonical view. */
export function birdViewQuaternion(view: BirdView): Quaternion {
  return matrixToQuaternion(BIRD_VIEW_ROTATIONS[view]);
}
