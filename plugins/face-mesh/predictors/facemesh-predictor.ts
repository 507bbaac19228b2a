import type { AlignedMesh } from '../../../core/interfaces/mesh';
import type { MeshPredictor, PredictorInput } from '../../../core/interfaces/mesh-predictor';
import { meshFromLandmarks } from '../mesh/face-mesh';
import { FaceLandmarker } from './face-landmarks';

/** Lowest face flag of the landmark network accepted as a face. */
export const DEFAULT_MIN_LANDMARK_SCORE = 0.5;

/**
 * `facemesh`: MediaPipe FaceMesh landmarks on the crop are the mesh's 468 vertices (two passes: the
 * whole crop, then a window around the first landmarks), with a weak-perspective camera that puts every
 * vertex on its landmark.
 */
export class FaceMeshPredictor implements MeshPredictor {
  readonly id = 'facemesh';

  constructor(
    private readonly landmarker: FaceLandmarker,
    private readonly minScore: number = DEFAULT_MIN_LANDMARK_SCORE,
  ) {}

  static async load(options: { model?: string; minScore?: number } = {}): Promise<FaceMeshPredictor> {
    return new FaceMeshPredictor(await FaceLandmarker.load(options.model), options.minScore);
  }

  async predict(input: PredictorInput): Promise<AlignedMesh> {
    const [h, w] = input.image.shape;
    const found = await this.landmarker.landmarks(input.image);
    if (!(found.score >= this.minScore)) {
      throw new Error(
        `no face in ${input.id}: the face landmark network's face score is ${found.score.toFixed(2)} (< ${this.minScore}); ` +
          'use a photo showing one face from the front, or give its box with --box',
      );
    }
    return meshFromLandmarks(found.points, h, w, found.score);
  }

  dispose(): void {
    this.landmarker.dispose();
  }
}
