import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import type { BodyModel } from '../body/body-model';
import { cameraFromWeakPerspective } from './body-camera';
import type { BodyParamsFile } from './body-params-file';
import { poseBody } from './pose-body';

/**
 * Poses the body with per-image parameters read from a file (pose 72, betas 10, camera), e.g. HMR output.
 * The root orientation is taken as given, in camera axes, so the camera has no rotation.
 */
export class PrecomputedPredictor implements MeshPredictor {
  readonly id = 'precomputed';

  constructor(
    private readonly model: BodyModel,
    private readonly params: BodyParamsFile,
  ) {}

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    const [height, width] = input.image.shape;
    const p = this.params.get(input.id);
    const { vertices } = poseBody(this.model, p.pose, p.betas);
    const cam = p.camera;
    const camera =
      'weakPerspective' in cam
        ? cameraFromWeakPerspective(cam.weakPerspective, height, width, cam.focalLength)
        : new PerspectiveCamera({ focalLength: cam.focalLength, translation: cam.translation, principalPoint: cam.principalPoint });
    return { mesh: this.model.meshFromVertices(vertices), camera };
  }

  dispose(): void {
    this.model.dispose();
  }
}
