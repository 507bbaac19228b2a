import { expect } from 'chai';
import { listOf } from '../../../core/cli/arg-parsers';

describe('core/cli/arg-parsers listOf', () => {
  const parse = listOf(['reid', 'perceptual', 'l1'] as const);

  it('reads a comma-separated list, trimmed, duplicates dropped, order kept', () => {
    expect(parse(' l1, reid ,l1')).to.deep.equal(['l1', 'reid']);
  });

  it('names the unknown items and the allowed ones', () => {
    expect(() => parse('reid,vgg')).to.throw(/comma-separated list of reid, perceptual, l1, got 'reid,vgg' \(unknown: vgg\)/);
  });

  it('refuses an empty list unless allowed', () => {
    expect(() => parse(' , ')).to.throw(/comma-separated list/);
    expect(listOf(['a'] as const, { allowEmpty: true })('')).to.deep.equal([]);
  });
});
