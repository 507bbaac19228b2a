import type { BodyModelData } from '../body/body-model-types';
import { buildBuiltinBody } from './build-builtin-body';

let cached: BodyModelData | undefined;

/**
 * The built-in body's arrays, generated once per process (about 0.2 s) and shared: treat them as
 * read-only. Nothing is cached on disk.
 */
export function builtinBodyData(): BodyModelData {
  cached ??= buildBuiltinBody();
  return cached;
}
