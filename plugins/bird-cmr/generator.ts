import * as path from 'path';
import { packageRoot } from '../../core/paths';
import type { ShippedGenerator } from '../../core/plugin';

/** The bird texture generator retex ships; see BENCHMARKS.md for its figures. */
export const BIRD_GENERATOR: ShippedGenerator = {
  description:
    "U-Net at width 0.25 (16-32-64-128-128 channels) that reads the photo projected into the 64x128 texture (the project method's texture) and corrects it, trained with the re-ID loss on synthetic birds (annotation-fit cameras)",
  weights: path.join(packageRoot(), 'plugins', 'bird-cmr', 'weights', 'generator'),
  reproduce:
    'retex synth --category bird --out data/birds-train --species 100 --images-per-species 60 --seed 0 && ' +
    'retex prepare --category bird --data data/birds-train && ' +
    'retex train --category bird --data data/birds-train --steps 1500 --width 0.25 --lr 1e-3 --generator-input projection --out runs/generator-bird',
};
