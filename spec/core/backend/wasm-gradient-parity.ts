/**
 * Gradient parity between the cpu backend (reference) and the wasm backend with retex's training
 * kernels: the same function, inputs and output gradient on both, values and gradients compared.
 */
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { assertClose, randomArray } from '../../helpers/tensors';

/** A float32 input the gradient is taken with respect to. */
export interface GradInput {
  shape: number[];
  /** Values; defaults to `randomArray` with the input's position as seed. */
  data?: Float32Array;
}

export interface ParityOptions {
  atol?: number;
  rtol?: number;
  what?: string;
  /** Seed of the random output gradient dy. */
  dySeed?: number;
}

export interface GradResult {
  value: Float32Array;
  shape: number[];
  grads: Float32Array[];
}

function inputData(input: GradInput, i: number): Float32Array {
  const size = input.shape.reduce((a, b) => a * b, 1);
  return input.data ?? randomArray(size, 101 + i);
}

/**
 * Runs `f` and `tf.grads(f)` on `backend` with a deterministic random dy; returns plain arrays so the
 * results outlive a backend switch. Leaves no tensors behind.
 */
export async function gradsOn(
  backend: 'cpu' | 'wasm',
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: GradInput[],
  dySeed = 7,
): Promise<GradResult> {
  await initBackend(backend);
  const xs = inputs.map((input, i) => tf.tensor(inputData(input, i), input.shape, 'float32'));
  const y = tf.tidy(() => f(...xs));
  const dy = tf.tensor(randomArray(y.size, dySeed), y.shape, 'float32');
  const grads = tf.grads((...args: tf.Tensor[]) => f(...args))(xs, dy);
  const result = {
    value: y.dataSync() as Float32Array,
    shape: y.shape,
    grads: grads.map((g) => g.dataSync() as Float32Array),
  };
  tf.dispose([...xs, y, dy, ...grads]);
  return result;
}

/** Asserts that value and every gradient of `f` agree between cpu and wasm. */
export async function expectGradParity(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: GradInput[],
  { atol = 1e-4, rtol = 1e-4, what = 'f', dySeed = 7 }: ParityOptions = {},
): Promise<void> {
  const ref = await gradsOn('cpu', f, inputs, dySeed);
  const got = await gradsOn('wasm', f, inputs, dySeed);
  assertClose(got.value, ref.value, { atol, rtol, what: `${what} value` });
  ref.grads.forEach((g, i) => assertClose(got.grads[i], g, { atol, rtol, what: `${what} d/dx${i}` }));
}
