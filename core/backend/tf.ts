/**
 * The one TensorFlow.js instance retex uses. Every module imports `tf` from here so that kernels and
 * backends registered by retex (and by an installed tfjs-node) land in the same engine.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
