import { tf } from '../../core/backend/tf';
import type { CategoryPlugin } from '../../core/plugin';
import type { Loss, LossInputs } from '../../core/interfaces';

/** A real (if tiny) loss used to exercise the registry: the mean squared error of renderings vs images. */
export class PixelMseLoss implements Loss {
  readonly id = 'test-mse';
  constructor(readonly weight: number) {}
  compute(inputs: LossInputs): tf.Scalar {
    return tf.tidy(() => tf.mul(this.weight, tf.losses.meanSquaredError(inputs.images, inputs.renderings)) as tf.Scalar);
  }
  dispose(): void {}
}

/** A plugin for category `thing`, providing a loss with one option and a loss whose loading fails. */
export function makeTestPlugin(overrides: Partial<CategoryPlugin> = {}): CategoryPlugin {
  return {
    id: 'test-thing',
    categories: ['thing'],
    description: 'a plugin used by the registry specs',
    configSchema: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer', minimum: 1 } } },
    implementations: {
      loss: {
        mse: {
          description: 'weighted pixel MSE',
          optionsSchema: {
            type: 'object',
            additionalProperties: false,
            properties: { weight: { type: 'number', minimum: 0 } },
          },
          create: async ({ options }) => new PixelMseLoss((options.weight as number | undefined) ?? 1),
        },
        broken: {
          description: 'fails to load',
          create: async () => {
            throw new Error('weights file /nowhere/w.bin is missing');
          },
        },
      },
    },
    ...overrides,
  };
}
