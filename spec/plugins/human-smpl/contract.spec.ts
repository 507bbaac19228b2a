import { humanSmplPlugin } from '../../../plugins/human-smpl';
import { describeCategoryPlugin } from '../../helpers/plugin-contract';

// The tiny set is the plugin's own synth (2 identities x 2 images at its default 128x64).
describeCategoryPlugin(humanSmplPlugin, {
  noSubjectMessage: /no person|keypoints were found/,
});
