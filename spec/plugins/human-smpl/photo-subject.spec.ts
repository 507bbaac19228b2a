import { expect } from 'chai';
import { framePerson, isPersonCrop } from '../../../plugins/human-smpl/photo-subject';

describe('plugins/human-smpl photo subject', () => {
  const crop: [number, number] = [128, 64];
  const never = () => Promise.reject(new Error('the detector should not run'));

  it('takes a small 1:2 photo (a Market-1501 crop) whole without running the detector', async () => {
    expect(await isPersonCrop([128, 64], crop, never)).to.equal(true);
    expect(await isPersonCrop([256, 120], crop, never)).to.equal(true);
  });

  it('looks for a person in a large or wide photo', async () => {
    expect(await isPersonCrop([480, 640], crop, never)).to.equal(false);
    const small = () => Promise.resolve([{ box: [100, 400, 80, 200], score: 0.9 }]);
    expect(await isPersonCrop([1000, 500], crop, small)).to.equal(false);
    const tall = () => Promise.resolve([{ box: [20, 40, 400, 900], score: 0.9 }]);
    expect(await isPersonCrop([1000, 500], crop, tall)).to.equal(true);
  });

  it('frames a person as Market-1501 does: 1:2 around the box, or the whole photo when it is one already', () => {
    const w = framePerson([100, 50, 40, 160], crop, [600, 800]);
    expect(w.height / w.width).to.be.closeTo(2, 1e-9);
    expect(w.height).to.be.greaterThan(160);
    expect(w.y + w.height / 2).to.be.closeTo(130, 1e-9);
    expect(framePerson([2, 3, 60, 120], crop, [128, 64])).to.deep.equal({ x: 0, y: 0, width: 64, height: 128 });
  });
});
