import { expect } from 'chai';
import { tf } from '../../../core/backend/tf';
import type { PhotoSubject, SubjectDetection } from '../../../core/plugin/photo-subject';
import { paddedCropWindow } from '../../../core/photo/crop-window';
import { chooseSubject, locateSubject } from '../../../core/run/locate-subject';
import { expectNoTensorLeak } from '../../helpers/tensors';

const det = (box: [number, number, number, number], score = 0.9): SubjectDetection => ({ box, score });

/** A subject whose detector returns fixed boxes, framed as a padded square. */
function fakeSubject(found: SubjectDetection[]): { subject: PhotoSubject; detector: { detect: () => Promise<SubjectDetection[]>; dispose: () => void } } {
  return {
    subject: {
      noun: 'bird',
      predictor: 'photo',
      fill: -1,
      loadDetector: () => Promise.reject(new Error('not used')),
      frame: (box, size) => paddedCropWindow(box, size, 0.1),
    },
    detector: { detect: () => Promise.resolve(found), dispose: () => undefined },
  };
}

describe('core/run/locate-subject', () => {
  const size: [number, number] = [200, 300];

  it('takes the best detection and ignores weaker or overlapping ones', () => {
    const best = det([100, 50, 80, 60], 0.9);
    const chosen = chooseSubject([best, det([105, 55, 80, 60], 0.8), det([10, 10, 30, 30], 0.3)], size, 'bird', 'p.jpg');
    expect(chosen).to.equal(best);
  });

  it('says what is wrong: nothing found, several subjects, too small, cut off', () => {
    expect(() => chooseSubject([], size, 'bird', 'p.jpg')).to.throw(/no bird found in p\.jpg.*--box/);
    expect(() => chooseSubject([det([10, 50, 60, 60], 0.9), det([180, 50, 60, 60], 0.7)], size, 'bird', 'p.jpg')).to.throw(
      /p\.jpg shows 2 birds \(boxes x,y,width,height: 10,50,60,60 \(score 0\.90\); 180,50,60,60 \(score 0\.70\)\): choose one with --box/,
    );
    expect(() => chooseSubject([det([100, 50, 20, 60])], size, 'bird', 'p.jpg')).to.throw(/only 20x60 pixels.*too small/);
    expect(() => chooseSubject([det([0, 50, 80, 60])], size, 'bird', 'p.jpg')).to.throw(/cut off at the photo's left border/);
    expect(() => chooseSubject([det([200, 120, 100, 80])], size, 'bird', 'p.jpg')).to.throw(/right and bottom border/);
  });

  it('accepts a photo already cropped to the subject (the box spans it)', () => {
    expect(chooseSubject([det([2, 0, 290, 200])], size, 'person', 'p.jpg').box).to.deep.equal([2, 0, 290, 200]);
  });

  it('crops the framed box at the networks\' size without leaking tensors; a user box skips the detector', async () => {
    const photo = tf.fill([200, 300, 3], 0.5) as tf.Tensor3D;
    const { subject, detector } = fakeSubject([det([100, 50, 80, 60])]);
    await expectNoTensorLeak(async () => {
      const located = await locateSubject(photo, subject, detector, [64, 64], 'p.jpg');
      expect(located.crop.shape).to.deep.equal([64, 64, 3]);
      expect(located.score).to.equal(0.9);
      expect(located.window.width).to.be.closeTo(80 * 1.2, 1e-9);
      located.crop.dispose();
    }, 'locateSubject');
    const given = await locateSubject(photo, fakeSubject([]).subject, fakeSubject([]).detector, [64, 64], 'p.jpg', [10, 10, 50, 50]);
    expect(given.score).to.equal(null);
    given.crop.dispose();
    const message = await locateSubject(photo, subject, detector, [64, 64], 'p.jpg', [400, 10, 50, 50]).then(() => '', (e: Error) => e.message);
    expect(message).to.match(/--box 400,10,50,50 lies outside p\.jpg \(300x200 pixels\)/);
    photo.dispose();
  });
});
