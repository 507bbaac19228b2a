import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import type { BodyModel } from '../body/body-model';
import type { BodyPose } from '../poses/pose-set';
import { compose, matrixToAxisAngle, rotationX, rotationY } from '../poses/rotation-math';
import { framingCamera } from './body-camera';
import { poseBody } from './pose-body';
import { hashString, mulberry32 } from '../../../core/random';

/** Body orientations drawn from: eight headings, 45 degrees apart (front, back, sides, diagonals). */
const HEADINGS = 8;
/** Random extra turn on top of the heading, +- degrees. */
const HEADING_JITTER_DEG = 10;

/**
 * The "no pose alignment" ablation: ignores the photo and poses the body with a pose drawn from a pose set,
 * facing one of eight headings, framed to fill the image. The draw depends only on the seed and the image
 * id, so an image gets the same mesh in every epoch (its render operator can be precomputed).
 */
export class RandomPosePredictor implements MeshPredictor {
  readonly id = 'random-pose';

  constructor(
    private readonly model: BodyModel,
    private readonly poses: readonly BodyPose[],
    private readonly seed: number,
  ) {
    if (poses.length === 0) throw new Error('random-pose: the pose set is empty');
  }

  /** The pose index, heading (radians) and full 72-d pose drawn for an image id. */
  draw(id: string): { poseIndex: number; heading: number; pose: Float32Array } {
    const rand = mulberry32(hashString(id) ^ Math.imul(this.seed + 1, 0x9e3779b1));
    const poseIndex = Math.floor(rand() * this.poses.length);
    const heading =
      (2 * Math.PI * Math.floor(rand() * HEADINGS)) / HEADINGS + ((rand() * 2 - 1) * HEADING_JITTER_DEG * Math.PI) / 180;
    const pose = this.poses[poseIndex].slice();
    // Body frame (y up, facing +z) to camera axes (y down, z away): a half turn about x, after the heading.
    pose.set(matrixToAxisAngle(compose(rotationX(Math.PI), rotationY(heading))), 0);
    return { poseIndex, heading, pose };
  }

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    const [height, width] = input.image.shape;
    const { pose } = this.draw(input.id);
    const { vertices } = poseBody(this.model, pose);
    return { mesh: this.model.meshFromVertices(vertices), camera: framingCamera(vertices, height, width) };
  }

  dispose(): void {
    this.model.dispose();
  }
}
