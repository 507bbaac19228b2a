// The .npy reader lives in core (core/io/npy) so that core's .npz checkpoint reader can use it; this
// module keeps the plugin's import path working.
export { encodeNpy, NpyError, parseNpy, type NpyArray, type NpyDtype } from '../../../core/io/npy';
