import type { AlignedMesh, Mesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { readWeakPerspectiveTruth } from '../../../core/synth/ground-truth';

/**
 * `ground-truth`: the canonical face and the camera a `retex synth --category face` image was rendered
 * with (the face-folder data set keeps synthetic images whole, so the camera holds for any square size).
 */
export class GroundTruthFacePredictor implements MeshPredictor {
  readonly id = 'ground-truth';

  constructor(
    private readonly mesh: Mesh,
    private readonly root: string,
  ) {}

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    if (input.imagePath == null) throw new Error(`image ${input.id} has no file path: ground-truth meshes need the synthetic set's files`);
    const { imageSize, ...settings } = readWeakPerspectiveTruth(this.root, input.imagePath);
    const [h, w] = input.image.shape;
    const [gh, gw] = imageSize;
    if (Math.abs(h / w - gh / gw) > 1e-6) throw new Error(`${input.id}: a ground-truth face needs the image's aspect ratio (${gh}x${gw}), got ${h}x${w}`);
    return { mesh: this.mesh, camera: new WeakPerspectiveCamera(settings), parameters: { camera: { kind: 'weak-perspective', ...settings } } };
  }

  dispose(): void {}
}
