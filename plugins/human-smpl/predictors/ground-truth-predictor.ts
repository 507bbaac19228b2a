import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { readGroundTruthParams } from '../../../core/synth/ground-truth';
import type { BodyModel } from '../body/body-model';
import { poseBody } from './pose-body';

function numbers(value: unknown, length: number | null, what: string, file: string): number[] {
  if (!Array.isArray(value) || (length != null && value.length !== length) || !value.every((v) => Number.isFinite(v))) {
    throw new Error(`ground truth of ${file}: '${what}' must be ${length ?? 'a list of'} number(s)`);
  }
  return value as number[];
}

/**
 * The body and camera a `retex synth --category human` image was rendered with, read from the set's
 * ground truth: the upper bound of pose alignment (`retex prepare --ground-truth-meshes`). The camera is
 * scaled when the run's image size differs from the set's.
 */
export class GroundTruthBodyPredictor implements MeshPredictor {
  readonly id = 'ground-truth';

  constructor(
    private readonly model: BodyModel,
    private readonly root: string,
  ) {}

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    if (input.imagePath == null) throw new Error(`image ${input.id} has no file path: ground-truth meshes need the synthetic set's files`);
    const p = readGroundTruthParams(this.root, input.imagePath);
    const where = input.imagePath;
    const [h, w] = input.image.shape;
    const [sh, sw] = numbers(p.image_size, 2, 'image_size', where);
    const cam = (p.camera ?? {}) as Record<string, unknown>;
    const focal = numbers([cam.focal_length], 1, 'camera.focal_length', where)[0];
    const [cx, cy] = numbers(cam.principal_point, 2, 'camera.principal_point', where);
    const translation = numbers(cam.translation, 3, 'camera.translation', where) as [number, number, number];
    if (Math.abs(h / sh - w / sw) > 1e-6) {
      throw new Error(`${where} is ${sh}x${sw} but the run's images are ${h}x${w}: keep the aspect ratio (set "image" in the config)`);
    }
    const k = h / sh;
    const { vertices } = poseBody(this.model, numbers(p.pose, null, 'pose', where), numbers(p.betas, null, 'betas', where));
    const camera = new PerspectiveCamera({ focalLength: focal * k, principalPoint: [cx * k, cy * k], translation });
    return { mesh: this.model.meshFromVertices(vertices), camera };
  }

  dispose(): void {
    this.model.dispose();
  }
}
