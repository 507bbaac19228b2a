import * as fs from 'fs';
import { faceMeshPlugin } from '../../../plugins/face-mesh';
import { canonicalShapeFile } from '../../../plugins/face-mesh/mesh/canonical-shape';
import { describeCategoryPlugin } from '../../helpers/plugin-contract';

// The tiny set is the plugin's own synth (2 people x 2 photos at 128x128). Its rendered faces are whole
// crops; `retex run` is given the face's box (the whole image) so the smoke does not depend on BlazeFace
// finding a painted face. Without @vladmandic/human(-models) nothing of the face plugin can load.
if (fs.existsSync(canonicalShapeFile())) {
  describeCategoryPlugin(faceMeshPlugin, {
    synth: { size: [128, 128] },
    runArgs: ['--box', '0,0,128,128'],
  });
}
