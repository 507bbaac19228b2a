import { birdCmrPlugin } from '../../../plugins/bird-cmr';
import { describeCategoryPlugin } from '../../helpers/plugin-contract';

// The tiny set is the plugin's own synth: 2 species x 2 birds at the config's 128x128. Those images are
// CUB-style crops (given to `retex run` whole with --box), and the COCO detector inside the photo predictor
// scores their rendered birds low, so the run smoke accepts weak boxes (as the real-photo spec does for gulls).
describeCategoryPlugin(birdCmrPlugin, {
  synth: { size: [128, 128] },
  runArgs: ['--box', '0,0,128,128'],
  runConfig: { meshPredictor: { minScore: 0.02 } },
});
