import * as path from 'path';
import type { IdentityNetworkRecipe } from '../../core/plugin';
import { packageRoot } from '../../core/paths';

/**
 * Flips and small shifts. With 1,000 training identities of 8 images a P x K batch shows each class too
 * rarely for a from-scratch network to start learning; 200 identities of 40 images work (see BENCHMARKS.md).
 */
const AUGMENT = { flip: 0.5, padCrop: 0.05, jitter: 0, erase: 0 };

const weights = (arch: string): string => path.join(packageRoot(), 'plugins', 'bird-cmr', 'weights', arch);
const TRAIN_DATA = 'retex synth --category bird --out data/birds-train --species 100 --images-per-species 60 --seed 0';

/**
 * Birds' re-ID networks (a species plays the role of an identity): a global-pool ResNet (the training
 * network) and a second, independent PCB-style network with 4 stripes (for CosSim-R). Trained by retex on
 * synthetic birds; see BENCHMARKS.md.
 */
export const BIRD_IDENTITY_NETWORKS: Readonly<Record<string, IdentityNetworkRecipe>> = {
  resnet: {
    description: 'global-pool ResNet-18 trunk at width 0.25, last stride 1, input 128x128',
    network: { arch: 'resnet', depth: 18, width: 0.25, lastStride: 1, inputSize: [128, 128], normalize: 'imagenet' },
    train: { steps: 3000, identitiesPerBatch: 8, imagesPerIdentity: 4, learningRate: 2e-3, weightDecay: 5e-4, tripletMargin: 0.3, augment: AUGMENT },
    weights: weights('resnet'),
    reproduce: `${TRAIN_DATA} && retex train-identity --category bird --arch resnet --data data/birds-train`,
  },
  pcb: {
    description: 'PCB, ResNet-18 trunk at width 0.25, last stride 1, 4 stripes of 64-d, input 128x128',
    network: { arch: 'pcb', depth: 18, width: 0.25, lastStride: 1, stripes: 4, localDim: 64, head: 'shared', inputSize: [128, 128], normalize: 'imagenet', seed: 11 },
    train: { steps: 3000, identitiesPerBatch: 8, imagesPerIdentity: 4, learningRate: 2e-3, weightDecay: 5e-4, tripletMargin: 0.3, augment: AUGMENT },
    weights: weights('pcb'),
    reproduce: `${TRAIN_DATA} && retex train-identity --category bird --arch pcb --data data/birds-train`,
  },
};
