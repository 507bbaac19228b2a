import { expect } from 'chai';
import { initBackend } from '../../../../core/backend/backend';
import { tf } from '../../../../core/backend/tf';
import { createRunContainer, defaultRegistry, loadConfig, resolveRole } from '../../../../registry';
import { birdViewQuaternion } from '../../../../plugins/bird-cmr/camera/bird-views';
import { CocoDetector, COCO_CLASSES, decodeDetections } from '../../../../core/photo/coco-detector';
const COCO_BIRD_CLASS = COCO_CLASSES.bird;
import { estimateForeground } from '../../../../plugins/bird-cmr/photo/foreground-mask';
import { cameraFromSilhouette } from '../../../../plugins/bird-cmr/photo/silhouette-pose';
import { benchmarkPhotoFit, silhouetteTwin, syntheticBirdPhoto } from '../../../../plugins/bird-cmr/predictors/fit-benchmark';
import { PhotoPredictor } from '../../../../plugins/bird-cmr/predictors/photo';
import { maskIou, renderSilhouette } from '../../../../plugins/bird-cmr/predictors/silhouette';
import { buildBirdMeanShape } from '../../../../plugins/bird-cmr/shape/mean-shape';
import { axisAngleToMatrix, multiplyMatrices, quaternionToMatrix } from '../../../../core/renderer/rotation';
import { matrixToQuaternion, rotationAngleDeg } from '../../../../plugins/bird-cmr/camera/quaternion';
import { upsideDown } from '../../../../plugins/bird-cmr/photo/heading';
import { projectWeakPerspective } from '../../../../plugins/bird-cmr/camera/camera-fit';
import { HeadingNet } from '../../../../plugins/bird-cmr/heading/heading-net';
import { headingWindow } from '../../../../plugins/bird-cmr/heading/heading-window';
import { HeadingCue } from '../../../../plugins/bird-cmr/photo/heading-cue';
import { defaultHeadingModel } from '../../../../plugins/bird-cmr/predictors/photo';
import { keypointPositions } from '../../../../plugins/bird-cmr/shape/mean-shape';
import { expectNoTensorLeak } from '../../../helpers/tensors';

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

describe('plugins/bird-cmr photo predictor', () => {
  const shape = buildBirdMeanShape(3);

  it('decodes CenterNet rows: birds only, above the score, scaled to whole pixels and clipped to the image, best first', () => {
    const rows = [
      [100, 50, 300, 250, 0.4, COCO_BIRD_CLASS],
      [0, 0, 512, 512, 0.9, 0],
      [-20, 256, 128, 600, 0.7, COCO_BIRD_CLASS],
      [10, 10, 20, 20, 0.1, COCO_BIRD_CLASS],
    ];
    const found = decodeDetections(rows, 512, 128, 256, COCO_BIRD_CLASS, 0.2);
    expect(found).to.have.length(2);
    expect(found[0].score).to.equal(0.7);
    expect(found[0].box).to.deep.equal([0, 64, 64, 64]);
    expect(found[1].box).to.deep.equal([50, 13, 100, 50]); // corners 12.5 and 62.5 rounded
  });

  it('separates a bird from a different background inside its box (estimated mask IoU > 0.8)', () => {
    const random = lcg(3);
    const camera = { scale: 0.75, translation: [0, 0] as [number, number], quaternion: birdViewQuaternion('side') };
    const photo = syntheticBirdPhoto(shape.mesh, camera, 96, random);
    const mask = estimateForeground(photo.pixels, 96, 96, photo.box);
    expect(maskIou(mask, photo.mask)).to.be.greaterThan(0.8);
    // Nothing outside the box.
    const [bx, by, bw, bh] = photo.box;
    for (let y = 0; y < 96; y++) for (let x = 0; x < 96; x++) if (x < bx || y < by || x >= bx + bw || y >= by + bh) expect(mask[y * 96 + x]).to.equal(0);
    expect(() => estimateForeground(photo.pixels, 96, 96, [200, 200, 10, 10])).to.throw(/no area inside the 96x96 image/);
  });

  it("with a network's prior, leaves out an attachment of the object's own colour (a spread wing)", () => {
    // A white body with a white bar (the wing) running to the box's edge, on green.
    const n = 64;
    const pixels = new Float32Array(n * n * 3);
    const body = new Float32Array(n * n);
    const prior = new Float32Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const p = y * n + x;
        const r = Math.hypot(x + 0.5 - 32, y + 0.5 - 32);
        body[p] = r < 10 ? 1 : 0;
        const wing = x >= 32 && x < 56 && Math.abs(y + 0.5 - 32) < 4;
        const white = body[p] === 1 || wing;
        pixels.set(white ? [0.95, 0.95, 0.95] : [0.2, 0.5 + 0.1 * ((x * 7 + y * 3) % 3), 0.2], 3 * p);
        // The network's blurry view of the body alone.
        prior[p] = 1 / (1 + Math.exp((r - 10) / 2));
      }
    }
    const box: [number, number, number, number] = [16, 16, 44, 32];
    const colourOnly = estimateForeground(pixels, n, n, box);
    const withPrior = estimateForeground(pixels, n, n, box, { prior });
    expect(maskIou(colourOnly, body), 'colour alone takes the wing too').to.be.lessThan(0.85);
    expect(maskIou(withPrior, body), 'the prior leaves it out').to.be.greaterThan(0.9);
    expect(() => estimateForeground(pixels, n, n, box, { prior: new Float32Array(10) })).to.throw(/prior has 10 values, expected 64x64/);
  });

  it('finds a camera from an exact silhouette that reproduces it (IoU > 0.9), up to the mirror twin', () => {
    const truth = { scale: 0.7, translation: [0.05, 0] as [number, number], quaternion: [0.7, 0.1, 0.7, 0.05] as [number, number, number, number] };
    const norm = Math.hypot(...truth.quaternion);
    const q = truth.quaternion.map((v) => v / norm) as [number, number, number, number];
    const mask = renderSilhouette(shape.mesh, { ...truth, quaternion: q }, 96, 96);
    const pose = cameraFromSilhouette(shape.mesh, mask, 96, 96);
    expect(maskIou(renderSilhouette(shape.mesh, pose.camera, 96, 96), mask)).to.be.greaterThan(0.9);
    // The twin has exactly the same silhouette, so only the smaller of the two errors is meaningful.
    const r = quaternionToMatrix(pose.camera.quaternion);
    const t = quaternionToMatrix(q);
    expect(maskIou(renderSilhouette(shape.mesh, { ...truth, quaternion: q }, 96, 96), mask)).to.equal(1);
    expect(Math.min(rotationAngleDeg(r, t), rotationAngleDeg(r, silhouetteTwin(t)))).to.be.lessThan(30);
    expect(() => cameraFromSilhouette(shape.mesh, new Float32Array(96 * 96), 96, 96)).to.throw(/mask is empty/);
  });

  it('with a final penalty on upside-down cameras, fits an upside-down outline upright; refuses a negative uprightWeight', () => {
    // The side view turned upside down: its own outline, exactly.
    const flipped = matrixToQuaternion(multiplyMatrices(axisAngleToMatrix([0, 0, Math.PI]), quaternionToMatrix(birdViewQuaternion('side'))));
    const mask = renderSilhouette(shape.mesh, { scale: 0.7, translation: [0, 0], quaternion: flipped }, 96, 96);
    const free = cameraFromSilhouette(shape.mesh, mask, 96, 96);
    expect(upsideDown(free.camera.quaternion), 'unconstrained: the exact, upside-down fit').to.be.greaterThan(0);
    const upright = cameraFromSilhouette(shape.mesh, mask, 96, 96, { finalPenalty: (c) => 0.5 * upsideDown(c.quaternion) });
    expect(upsideDown(upright.camera.quaternion)).to.equal(0);
    expect(upright.iou).to.be.lessThan(free.iou);
    expect(() => new PhotoPredictor(shape, null as unknown as CocoDetector, { uprightWeight: -1 })).to.throw(/uprightWeight must be a number >= 0, got -1/);
  });

  it('silhouetteTwin is a proper rotation whose silhouette of the symmetric bird is identical', () => {
    const r = quaternionToMatrix([0.8, 0.3, -0.4, 0.2]);
    const twin = silhouetteTwin(r);
    const det = twin[0] * (twin[4] * twin[8] - twin[5] * twin[7]) - twin[1] * (twin[3] * twin[8] - twin[5] * twin[6]) + twin[2] * (twin[3] * twin[7] - twin[4] * twin[6]);
    expect(det).to.be.closeTo(1, 1e-9);
    const { matrixToQuaternion } = require('../../../../plugins/bird-cmr/camera/quaternion');
    const a = renderSilhouette(shape.mesh, { scale: 0.8, translation: [0, 0], quaternion: matrixToQuaternion(r) }, 64, 64);
    const b = renderSilhouette(shape.mesh, { scale: 0.8, translation: [0, 0], quaternion: matrixToQuaternion(twin) }, 64, 64);
    expect(maskIou(a, b)).to.be.greaterThan(0.99);
  });

  describe('with the COCO detector (wasm backend)', () => {
    let detector: CocoDetector;
    before(async () => {
      await initBackend('wasm');
      detector = await CocoDetector.load();
    });
    after(async () => {
      detector.dispose();
      await initBackend('cpu');
    });

    it('scores at least 0.7 IoU on synthetic photos given the bird box (the issue\'s goal)', async () => {
      const predictor = new PhotoPredictor(shape, detector);
      const result = await benchmarkPhotoFit(predictor, shape, { count: 3, size: 96, seed: 2 });
      expect(result.iou).to.be.greaterThan(0.7);
      expect(result.mask_iou).to.be.greaterThan(0.7);
    });

    it('says so when a photo shows no bird, through the registry and the bird config', async () => {
      const registry = defaultRegistry();
      const { config } = await loadConfig(registry, { category: 'bird', overrides: { meshPredictor: { type: 'photo', minScore: 0.3 } } });
      const predictor = await resolveRole(createRunContainer(registry, config), 'meshPredictor');
      expect(predictor).to.be.instanceOf(PhotoPredictor);
      const blank = tf.fill([64, 64, 3], 0.2) as tf.Tensor3D;
      const before = tf.memory().numTensors;
      const message = await predictor.predict({ image: blank, id: 'wall.jpg' }).then(() => '', (e: Error) => e.message);
      expect(tf.memory().numTensors).to.equal(before);
      blank.dispose();
      predictor.dispose();
      expect(message).to.match(/no bird found in image wall\.jpg \(COCO detector, class 'bird', score >= 0\.3\).*lower meshPredictor\.minScore/);
    });

    describe('with the shipped heading network', () => {
      let heading: HeadingNet;
      before(async () => {
        heading = await HeadingNet.load(defaultHeadingModel());
      });
      after(() => heading?.dispose());
      // The predictor would dispose the shared detector: these tests never dispose it, only the network.
      const withCue = (options = {}) => new PhotoPredictor(shape, detector, options, heading);
      const leftFacing = (size: number) => {
        const camera = { scale: 0.75, translation: [0, 0.05] as [number, number], quaternion: birdViewQuaternion('side') };
        const photo = syntheticBirdPhoto(shape.mesh, camera, size, lcg(11));
        const image = tf.tidy(() => tf.sub(tf.mul(tf.tensor3d(photo.pixels, [size, size, 3]), 2), 1) as tf.Tensor3D);
        return { camera, photo, image };
      };

      it('puts the head on the right end of synthetic birds (the silhouette alone often does not)', async () => {
        const result = await benchmarkPhotoFit(withCue(), shape, { count: 6, size: 128, seed: 4 });
        expect(result.heading_accuracy).to.be.greaterThan(0.8);
        expect(result.iou).to.be.greaterThan(0.7);
      });

      it('follows the heading the user gives, and rejects one that is not left or right', async () => {
        const { photo, image } = leftFacing(96);
        try {
          const predictor = withCue();
          for (const heading of ['left', 'right'] as const) {
            const { report } = await predictor.fitInBox({ image, id: 'b.jpg', annotations: { heading } }, { box: photo.box, score: 1 });
            expect(report.heading).to.equal(heading);
            expect(report.headingSource).to.equal('user');
          }
          const message = await predictor.fitInBox({ image, id: 'b.jpg', annotations: { heading: 'up' } }, { box: photo.box, score: 1 }).then(() => '', (e: Error) => e.message);
          expect(message).to.match(/image b\.jpg: annotations\.heading is "up"; use one of left, right/);
        } finally {
          image.dispose();
        }
      });

      it('places the bird by CUB keypoints when given (then refines to the mask), leaking no tensors', async () => {
        const { camera, photo, image } = leftFacing(96);
        try {
          const projected = projectWeakPerspective(camera, keypointPositions(shape));
          const annotations = { keypoints: Array.from(projected), visible: new Array(15).fill(1) };
          const { report } = await expectNoTensorLeak(() => withCue().fitInBox({ image, id: 'k.jpg', annotations }, { box: photo.box, score: 1 }));
          expect(report.headingSource).to.equal('keypoints');
          expect(rotationAngleDeg(quaternionToMatrix(report.camera.quaternion), quaternionToMatrix(camera.quaternion))).to.be.lessThan(15);
          const bad = await withCue().fitInBox({ image, id: 'k.jpg', annotations: { keypoints: [1, 2], visible: [1] } }, { box: photo.box, score: 1 }).then(() => '', (e: Error) => e.message);
          expect(bad).to.match(/annotations\.keypoints must be 30 numbers and annotations\.visible 15/);
        } finally {
          image.dispose();
        }
      });

      it('reports the cue and leaks no tensors when it guesses the heading itself', async () => {
        const { photo, image } = leftFacing(96);
        try {
          const { report } = await expectNoTensorLeak(() => withCue().fitInBox({ image, id: 'c.jpg' }, { box: photo.box, score: 1 }));
          expect(report.headingSource).to.equal('network');
          expect(report.cue?.toward).to.be.within(0, 1);
          expect(report.heading).to.equal('left');
        } finally {
          image.dispose();
        }
      });

      it("maps where the bird's body is (network body map over the crop; nothing outside the network's window)", async () => {
        const { photo, image } = leftFacing(96);
        image.dispose();
        const cue = await expectNoTensorLeak(() => HeadingCue.compute(heading, photo.pixels, 96, 96, photo.box, keypointPositions(shape)));
        const body = cue.bodyProbability() as Float32Array;
        expect(body).to.have.length(96 * 96);
        const window = headingWindow(photo.box);
        let outside = 0;
        body.forEach((p, i) => {
          expect(p).to.be.within(0, 1);
          const [x, y] = [(i % 96) + 0.5, Math.floor(i / 96) + 0.5];
          if (x < window.x || y < window.y || x > window.x + window.width || y > window.y + window.height) outside = Math.max(outside, p);
        });
        expect(outside).to.equal(0);
        expect(maskIou(Float32Array.from(body, (p) => (p > 0.5 ? 1 : 0)), photo.mask)).to.be.greaterThan(0.7);
        // The predictor's mask follows it, and says so.
        const again = leftFacing(96);
        try {
          const { aligned } = await withCue().fitInBox({ image: again.image, id: 'm.jpg' }, { box: photo.box, score: 1 });
          expect(aligned.parameters?.maskSource).to.equal('body network + colour');
          expect(maskIou(aligned.mask as Float32Array, photo.mask)).to.be.greaterThan(0.85);
        } finally {
          again.image.dispose();
        }
      });

      it('explains missing heading weights', async () => {
        const message = await PhotoPredictor.create(shape, detector, { headingModel: '/nowhere/heading' }).then(() => '', (e: Error) => e.message);
        expect(message).to.match(/\/nowhere\/heading\/weights\.json.*train-bird-heading\.js.*headingWeight to 0/);
      });
    });

    it('explains a detector model path that does not exist', async () => {
      const message = await CocoDetector.load('/nowhere/centernet.json').then(() => '', (e: Error) => e.message);
      expect(message).to.contain('/nowhere/centernet.json');
    });
  });
});
