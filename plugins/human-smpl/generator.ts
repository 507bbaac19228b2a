import * as path from 'path';
import { packageRoot } from '../../core/paths';
import type { ShippedGenerator } from '../../core/plugin';

/** The human texture generator retex ships; see BENCHMARKS.md for its figures. */
export const HUMAN_GENERATOR: ShippedGenerator = {
  description:
    "U-Net at width 0.25 (16-32-64-128-128 channels) that reads the photo projected into the 64x64 texture (the project method's texture) and corrects it, trained with the re-ID + face loss on synthetic people (ground-truth meshes)",
  weights: path.join(packageRoot(), 'plugins', 'human-smpl', 'weights', 'generator'),
  reproduce:
    'retex synth --category human --out data/people-gen --identities 300 --images-per-identity 12 --seed 0 && ' +
    'retex prepare --category human --data data/people-gen --ground-truth-meshes && ' +
    'retex train --category human --data data/people-gen --steps 2500 --width 0.25 --lr 1e-3 --generator-input projection --out runs/generator-human',
};
