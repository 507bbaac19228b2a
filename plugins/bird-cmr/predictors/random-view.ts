import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { hashString, mulberry32 } from '../../../core/random';
import { axisAngleToMatrix, multiplyMatrices, type Mat3 } from '../../../core/renderer/rotation';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { BIRD_VIEW_ROTATIONS } from '../camera/bird-views';
import { matrixToQuaternion } from '../camera/quaternion';
import type { BirdMeanShape } from '../shape/mean-shape';

/** Elevations drawn from: +- this many degrees around the horizon. */
const MAX_ELEVATION_DEG = 30;
/** Share of the crop's half-size the framed mean shape's larger extent fills. */
const FILL = 0.8;

/**
 * The "no pose alignment" ablation for birds: ignores the photo and shows the mean shape from a random
 * direction (any azimuth, an elevation within 30 degrees of the horizon), framed to fill the crop as CUB's
 * padded boxes do. The draw depends only on the seed and the image id, so an image gets the same mesh every
 * epoch (its render operator can be precomputed).
 */
export class RandomViewPredictor implements MeshPredictor {
  readonly id = 'random-pose';

  constructor(
    private readonly shape: BirdMeanShape,
    private readonly seed = 0,
  ) {}

  /** The model-to-camera rotation drawn for an image id. */
  rotation(id: string): Mat3 {
    const rand = mulberry32(hashString(id) ^ Math.imul(this.seed + 1, 0x9e3779b1));
    const azimuth = rand() * 2 * Math.PI;
    const elevation = ((rand() * 2 - 1) * MAX_ELEVATION_DEG * Math.PI) / 180;
    // Turn the bird about its up axis, look at it from the front, then tilt the camera.
    const turned = multiplyMatrices(BIRD_VIEW_ROTATIONS.front as unknown as Mat3, axisAngleToMatrix([0, azimuth, 0]));
    return multiplyMatrices(axisAngleToMatrix([elevation, 0, 0]), turned);
  }

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    const r = this.rotation(input.id);
    const v = this.shape.mesh.vertices;
    const lo = [Infinity, Infinity];
    const hi = [-Infinity, -Infinity];
    for (let i = 0; i < v.length; i += 3) {
      for (let c = 0; c < 2; c++) {
        const p = r[3 * c] * v[i] + r[3 * c + 1] * v[i + 1] + r[3 * c + 2] * v[i + 2];
        lo[c] = Math.min(lo[c], p);
        hi[c] = Math.max(hi[c], p);
      }
    }
    const scale = (2 * FILL) / Math.max(hi[0] - lo[0], hi[1] - lo[1]);
    const camera = new WeakPerspectiveCamera({
      scale,
      translation: [(-scale * (lo[0] + hi[0])) / 2, (-scale * (lo[1] + hi[1])) / 2],
      quaternion: matrixToQuaternion(r),
    });
    return { mesh: this.shape.mesh, camera };
  }

  dispose(): void {}
}
