import { expect } from 'chai';
import { tf } from '../../../core/backend/tf';
import { buildBirdMeanShape } from '../../../plugins/bird-cmr/shape/mean-shape';
import { RandomViewPredictor } from '../../../plugins/bird-cmr/predictors/random-view';

describe('plugins/bird-cmr random-pose predictor (no pose alignment)', () => {
  const shape = buildBirdMeanShape(2);

  it('draws a view per image id (the same every time), framed inside the crop', async () => {
    const p = new RandomViewPredictor(shape, 0);
    const image = tf.zeros([64, 64, 3]) as tf.Tensor3D;
    const a = await p.predict({ image, id: 'a.jpg' });
    const again = await p.predict({ image, id: 'a.jpg' });
    const b = await p.predict({ image, id: 'b.jpg' });
    image.dispose();
    const projected = a.camera.project(shape.mesh.vertices, 64, 64);
    expect(Array.from(projected).every((v, i) => i % 3 === 2 || (v >= 0 && v <= 64))).to.equal(true);
    expect(Array.from(again.camera.project(shape.mesh.vertices, 64, 64))).to.deep.equal(Array.from(projected));
    expect(Array.from(b.camera.project(shape.mesh.vertices, 64, 64))).to.not.deep.equal(Array.from(projected));
  });
});
