import type { CategoryPlugin } from '../core/plugin';
import { birdCmrPlugin } from '../plugins/bird-cmr';
import { faceMeshPlugin } from '../plugins/face-mesh';
import { humanSmplPlugin } from '../plugins/human-smpl';

/** Every plugin retex ships. A new category is a folder under plugins/ plus one line here. */
export const ALL_PLUGINS: readonly CategoryPlugin[] = [humanSmplPlugin, birdCmrPlugin, faceMeshPlugin];
