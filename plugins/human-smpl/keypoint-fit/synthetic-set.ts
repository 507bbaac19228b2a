import * as fs from 'fs';
import * as path from 'path';
import { groundTruthParamsFile } from '../../../core/synth/ground-truth';

/** Market-style splits of a `retex synth --category human` set, in the order images are taken. */
const SPLITS = ['bounding_box_train', 'bounding_box_test', 'query'];

/** The image files of a synthetic people set that have ground truth, in a fixed order. */
export function syntheticSetImages(root: string): string[] {
  const files: string[] = [];
  for (const split of SPLITS) {
    const dir = path.join(root, split);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (/\.(jpe?g|png)$/i.test(f) && groundTruthParamsFile(root, path.join(dir, f)) !== null) files.push(path.join(dir, f));
    }
  }
  return files;
}
