import type { AlignedMesh, Mesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { SeededRandom } from '../../../core/synth/random';
import { FRONT_QUATERNION } from '../mesh/face-mesh';
import { headPoseQuaternion, quaternionMultiply } from '../synth/face-synth';

/** Head poses drawn from, degrees: yaw, pitch, roll within +- these. */
const MAX_POSE_DEG = { yaw: 60, pitch: 30, roll: 30 } as const;
/** Scale range (the canonical face is about unit half-size; framed photos hold it at about 0.6-0.7). */
const SCALE = [0.5, 0.75] as const;
/** In-plane shift within +- this share of the crop's half-size. */
const SHIFT = 0.15;

/**
 * `random-pose`, the "no pose alignment" ablation for faces: ignores the photo and shows the canonical face
 * in a random head pose, size and place. The draw depends only on the seed and the image id, so the render
 * operator can be precomputed.
 */
export class RandomPoseFacePredictor implements MeshPredictor {
  readonly id = 'random-pose';

  constructor(
    private readonly mesh: Mesh,
    private readonly seed = 0,
  ) {}

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    const random = SeededRandom.of(this.seed, 'random-pose', input.id);
    const deg = Math.PI / 180;
    const pose = headPoseQuaternion(random.range(-1, 1) * MAX_POSE_DEG.yaw * deg, random.range(-1, 1) * MAX_POSE_DEG.pitch * deg, random.range(-1, 1) * MAX_POSE_DEG.roll * deg);
    const settings = {
      scale: random.range(SCALE[0], SCALE[1]),
      translation: [random.range(-SHIFT, SHIFT), random.range(-SHIFT, SHIFT)] as [number, number],
      quaternion: quaternionMultiply(FRONT_QUATERNION, pose),
    };
    return { mesh: this.mesh, camera: new WeakPerspectiveCamera(settings), parameters: { camera: { kind: 'weak-perspective', ...settings } } };
  }

  dispose(): void {}
}
