import { expect } from 'chai';
import { ModelFileError } from '../../core/io/model-file-error';

/** Runs `fn`, asserts it throws a ModelFileError, and returns it. */
export function modelFileErrorOf(fn: () => unknown): ModelFileError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ModelFileError);
    return err as ModelFileError;
  }
  expect.fail('expected a ModelFileError');
}
