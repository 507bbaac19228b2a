import * as path from 'path';
import type { IdentityNetworkRecipe } from '../../core/plugin';
import { packageRoot } from '../../core/paths';

/**
 * Flips and small shifts. With 1,000 training identities of 8 images a P x K batch shows each class too
 * rarely for a from-scratch network to start learning; 200 identities of 40 images work (see BENCHMARKS.md).
 */
const AUGMENT = { flip: 0.5, padCrop: 0.05, jitter: 0, erase: 0 };

const weights = (arch: string): string => path.join(packageRoot(), 'plugins', 'human-smpl', 'weights', arch);
const TRAIN_DATA = 'retex synth --category human --out data/people-train --identities 400 --images-per-identity 40 --seed 0';

/**
 * People's re-ID networks: a PCB (the method's network, at a CPU-sized width) and a second, independent
 * global-pool ResNet (for CosSim-R and the "without PCB" ablation). Both are trained by retex on synthetic
 * people; see BENCHMARKS.md for their figures.
 */
export const HUMAN_IDENTITY_NETWORKS: Readonly<Record<string, IdentityNetworkRecipe>> = {
  pcb: {
    description: 'PCB, ResNet-18 trunk at width 0.25, last stride 1, 6 stripes of 64-d, input 128x64',
    network: { arch: 'pcb', depth: 18, width: 0.25, lastStride: 1, stripes: 6, localDim: 64, head: 'shared', inputSize: [128, 64], normalize: 'imagenet' },
    train: { steps: 3000, identitiesPerBatch: 8, imagesPerIdentity: 4, learningRate: 2e-3, weightDecay: 5e-4, tripletMargin: 0.3, augment: AUGMENT },
    weights: weights('pcb'),
    reproduce: `${TRAIN_DATA} && retex train-identity --category human --arch pcb --data data/people-train`,
  },
  resnet: {
    description: 'global-pool ResNet-34 trunk at width 0.25, last stride 2, input 128x64',
    network: { arch: 'resnet', depth: 34, width: 0.25, lastStride: 2, inputSize: [128, 64], normalize: 'imagenet', seed: 11 },
    train: { steps: 3000, identitiesPerBatch: 8, imagesPerIdentity: 4, learningRate: 2e-3, weightDecay: 5e-4, tripletMargin: 0.3, augment: AUGMENT },
    weights: weights('resnet'),
    reproduce: `${TRAIN_DATA} && retex train-identity --category human --arch resnet --data data/people-train`,
  },
};
