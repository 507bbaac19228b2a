import { BACKEND_REQUESTS } from '../../core/backend/backend';
import { ROLES } from '../../core/plugin';
import type { JsonSchema } from '../../core/plugin';

const size = (min: number, max: number): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required: ['height', 'width'],
  properties: {
    height: { type: 'integer', minimum: min, maximum: max },
    width: { type: 'integer', minimum: min, maximum: max },
  },
});

/** A role section: `type` names the implementation; its other options are checked by the implementation's schema. */
const ROLE_SECTION: JsonSchema = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', minLength: 1 } },
};

/** Schema of the whole merged config; `pluginOptions` and role options are checked separately. */
export const CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['category', 'plugin', 'pluginOptions', 'backend', 'image', 'texture', 'train', ...ROLES],
  properties: {
    category: { type: 'string', minLength: 1 },
    plugin: { type: 'string', minLength: 1 },
    pluginOptions: { type: 'object' },
    backend: { enum: [...BACKEND_REQUESTS] },
    image: size(16, 4096),
    texture: size(4, 4096),
    train: {
      type: 'object',
      additionalProperties: false,
      required: ['identitiesPerBatch', 'imagesPerIdentity', 'epochs', 'learningRate', 'weightDecay', 'checkpointEvery', 'seed'],
      properties: {
        identitiesPerBatch: { type: 'integer', minimum: 1, maximum: 1024 },
        imagesPerIdentity: { type: 'integer', minimum: 1, maximum: 1024 },
        epochs: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        weightDecay: { type: 'number', minimum: 0, maximum: 1 },
        checkpointEvery: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
        seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295 },
      },
    },
    ...Object.fromEntries(ROLES.map((role) => [role, ROLE_SECTION])),
  },
};
