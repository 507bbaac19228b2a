import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { readWeakPerspectiveTruth } from '../../../core/synth/ground-truth';
import { cubAnnotations } from '../cub/cub-dataset';
import type { BirdMeanShape } from '../shape/mean-shape';

/**
 * The camera a `retex synth --category bird` image was rendered with, moved into the sample's padded
 * crop: the upper bound of pose alignment (`retex prepare --ground-truth-meshes`). A weak-perspective
 * camera maps to normalised full-image coordinates n; the crop's are (n + 1) W / cw - 2 cx / cw - 1, which
 * is again weak perspective with scale s W / cw.
 */
export class GroundTruthBirdPredictor implements MeshPredictor {
  readonly id = 'ground-truth';

  constructor(
    private readonly shape: BirdMeanShape,
    private readonly root: string,
  ) {}

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    if (input.imagePath == null) throw new Error(`image ${input.id} has no file path: ground-truth meshes need the synthetic set's files`);
    const cam = readWeakPerspectiveTruth(this.root, input.imagePath);
    const a = cubAnnotations({ id: input.id, annotations: input.annotations ?? {} });
    if (a.flipped) throw new Error(`${input.id} is a mirrored sample: ground-truth cameras exist only for the images as rendered`);
    const [fullH, fullW] = cam.imageSize;
    const { x, y, width, height } = a.crop;
    const [tx, ty] = cam.translation;
    const kx = fullW / width;
    const ky = fullH / height;
    if (Math.abs(kx - ky) > 1e-6 * kx) throw new Error(`${input.id}: the crop of a ground-truth bird must keep the aspect ratio`);
    const camera = new WeakPerspectiveCamera({
      scale: cam.scale * kx,
      translation: [kx * (tx + 1) - (2 * x) / width - 1, ky * (ty + 1) - (2 * y) / height - 1],
      quaternion: cam.quaternion,
    });
    return { mesh: this.shape.mesh, camera };
  }

  dispose(): void {}
}
