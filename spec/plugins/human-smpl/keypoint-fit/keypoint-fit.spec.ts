import { expect } from 'chai';
import { tf } from '../../../../core/backend/tf';
import { PerspectiveCamera } from '../../../../core/renderer/perspective-camera';
import { rasterize } from '../../../../core/renderer/rasterizer';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import { builtinBodyData } from '../../../../plugins/human-smpl/builtin-body/builtin-body';
import { BlazePoseDetector, type PoseDetection } from '../../../../plugins/human-smpl/keypoint-fit/blazepose-detector';
import { KeypointFitPredictor } from '../../../../plugins/human-smpl/keypoint-fit/keypoint-fit-predictor';
import { KeypointFitter } from '../../../../plugins/human-smpl/keypoint-fit/keypoint-fitter';
import { maskIou, renderSyntheticPerson } from '../../../../plugins/human-smpl/keypoint-fit/synthetic-person';
import { defaultPoseSet } from '../../../../plugins/human-smpl/poses/pose-set';
import { hmrFocalLength } from '../../../../plugins/human-smpl/predictors/body-camera';
import { poseBody } from '../../../../plugins/human-smpl/predictors/pose-body';
import { RandomPosePredictor } from '../../../../plugins/human-smpl/predictors/random-pose-predictor';
import { expectNoTensorLeak } from '../../../helpers/tensors';

const [H, W] = [128, 64];

describe('plugins/human-smpl keypoint-fit', () => {
  const data = builtinBodyData();
  let model: BodyModel;
  let fitter: KeypointFitter;
  let truth: RandomPosePredictor;
  const camera = new PerspectiveCamera({ focalLength: hmrFocalLength(H) });
  before(() => {
    model = BodyModel.create(data);
    fitter = new KeypointFitter(model);
    truth = new RandomPosePredictor(model, defaultPoseSet(), 1);
  });
  after(() => model.dispose());

  /** A body with known parameters: pose and heading from the random-pose draw, framed in the image. */
  async function known(id: string) {
    const { pose } = truth.draw(id);
    const aligned = await truth.predict({ image: tf.zeros([H, W, 3]) as tf.Tensor3D, id });
    const t = (aligned.camera as PerspectiveCamera).translation;
    return { pose, t, keypoints: fitter.project(pose, [], t, camera, H, W), vertices: poseBody(model, pose, [], t).vertices };
  }

  it('uses 21 keypoints: 16 joints, nose, ears and heels, each with its left/right mirror', () => {
    expect(fitter.keypoints.length).to.equal(21);
    for (const [i, k] of fitter.keypoints.entries()) {
      expect(fitter.keypoints[k.mirror].mirror).to.equal(i);
      if (k.name.startsWith('left_')) expect(fitter.keypoints[k.mirror].name).to.equal(k.name.replace('left_', 'right_'));
    }
  });

  it('recovers a known body from its exact keypoints: error < 2 px, silhouette IoU > 0.85, no leak', async () => {
    for (const id of ['p0', 'p3']) {
      const k = await known(id);
      const fit = await expectNoTensorLeak(
        () => fitter.fit({ xy: k.keypoints, confidence: new Float32Array(21).fill(1) }, H, W),
        'fit',
      );
      expect(fit.reprojectionPx, `${id} reprojection`).to.be.below(2);
      const fitted = poseBody(model, fit.pose, fit.betas, fit.translation).vertices;
      const a = rasterize(model.meshFromVertices(k.vertices), camera, H, W).faceIds;
      const b = rasterize(model.meshFromVertices(fitted), fit.camera, H, W).faceIds;
      const iou = maskIou(Array.from(a, (f) => (f >= 0 ? 1 : 0)), Array.from(b, (f) => (f >= 0 ? 1 : 0)));
      expect(iou, `${id} IoU`).to.be.above(0.85);
    }
  });

  it('refuses to fit fewer than 6 keypoints', async () => {
    const k = await known('p1');
    const conf = new Float32Array(21);
    conf.fill(1, 0, 5);
    expect(() => fitter.fit({ xy: k.keypoints, confidence: conf }, H, W)).to.throw(/only 5 body keypoints.*at least 6/);
  });

  describe('detections a photo can give', () => {
    const predictor = () => new KeypointFitPredictor(model, undefined as never);
    const detection = (over: Partial<PoseDetection> = {}): PoseDetection => {
      const landmarks = new Float32Array(66);
      for (let i = 0; i < 33; i++) landmarks.set([20 + (i % 20), 10 + 3 * i], 2 * i);
      const mask = new Float32Array(H * W);
      for (let y = 10; y < 120; y++) for (let x = 20; x < 44; x++) mask[y * W + x] = 1;
      return { personScore: 0.99, landmarks, confidence: new Float32Array(33).fill(0.9), mask, ...over };
    };

    it('says when there is nobody, several people, or a cropped person', () => {
      const p = predictor();
      expect(p.observe(detection(), H, W, 'ok.jpg').confidence.filter((c) => c > 0).length).to.equal(21);
      expect(() => p.observe(detection({ personScore: 0.1 }), H, W, 'empty.jpg')).to.throw(/no person found in image 'empty\.jpg'/);
      // a low person flag on a re-ID crop is overruled by a sure torso over a person-sized mask
      const sure = new Float32Array(33).fill(0.99);
      expect(p.observe(detection({ personScore: 0.1, confidence: sure }), H, W, 'crop.jpg').confidence.filter((c) => c > 0).length).to.equal(21);
      expect(() => p.observe(detection({ personScore: 0.1, confidence: sure, mask: new Float32Array(H * W) }), H, W, 'empty.jpg')).to.throw(/no person found/);
      const two = detection().mask.slice();
      for (let y = 10; y < 120; y++) for (let x = 0; x < 64; x++) two[y * W + x] = x < 26 || x > 38 ? 1 : 0;
      expect(() => p.observe(detection({ mask: two }), H, W, 'pair.jpg')).to.throw(/several people/);
      const cut = detection().landmarks.slice();
      cut[2 * 27 + 1] = 160; // left ankle below the picture
      expect(() => p.observe(detection({ landmarks: cut }), H, W, 'cut.jpg')).to.throw(/looks cropped: left_ankle/);
    });
  });

  it('predicts a rendered person end to end: BlazePose (lite), fit, aligned mesh and mask', async () => {
    const detector = await BlazePoseDetector.load('lite');
    const predictor = new KeypointFitPredictor(BodyModel.create(data), detector, { steps: 40, refine: false });
    try {
      const k = await known('p6');
      const { image, silhouette } = renderSyntheticPerson(data, k.vertices, camera, H, W);
      const aligned = await predictor.predict({ image, id: 'p6' });
      image.dispose();
      expect(aligned.mask?.length).to.equal(H * W);
      expect(maskIou(silhouette, aligned.mask as Float32Array), 'BlazePose mask').to.be.above(0.8);
      const fitted = Array.from(rasterize(aligned.mesh, aligned.camera, H, W).faceIds, (f) => (f >= 0 ? 1 : 0));
      expect(maskIou(silhouette, fitted), 'fitted silhouette').to.be.above(0.6);
    } finally {
      predictor.dispose();
    }
  });

  it('BlazePose (lite) finds the landmarks of a rendered person near the true joints', async () => {
    const detector = await BlazePoseDetector.load('lite');
    try {
      const k = await known('p5');
      const { image } = renderSyntheticPerson(data, k.vertices, camera, H, W);
      const det = await detector.detect(image);
      image.dispose();
      expect(det.personScore).to.be.above(0.5);
      const obs = new KeypointFitPredictor(model, undefined as never).observe(det, H, W, 'p5');
      // shoulders, hips: the joints the detector and the body agree on best; allow a left/right swap
      const idx = [0, 1, 6, 7];
      const err = (swap: boolean) =>
        idx.reduce((s, i) => {
          const j = swap ? fitter.keypoints[i].mirror : i;
          return s + Math.hypot(obs.xy[2 * j] - k.keypoints[2 * i], obs.xy[2 * j + 1] - k.keypoints[2 * i + 1]);
        }, 0) / idx.length;
      expect(Math.min(err(false), err(true))).to.be.below(8);
    } finally {
      detector.dispose();
    }
  });
});

describe('plugins/human-smpl silhouette refinement', () => {
  it('widens a body fitted to keypoints alone towards a broader true silhouette', async () => {
    const { SilhouetteRefiner } = await import('../../../../plugins/human-smpl/keypoint-fit/silhouette-refiner');
    const data = builtinBodyData();
    const model = BodyModel.create(data);
    const fitter = new KeypointFitter(model);
    const refiner = new SilhouetteRefiner(model);
    const truth = new RandomPosePredictor(model, defaultPoseSet(), 2);
    const camera = new PerspectiveCamera({ focalLength: hmrFocalLength(H) });
    const { pose } = truth.draw('wide');
    const t = ((await truth.predict({ image: tf.zeros([H, W, 3]) as tf.Tensor3D, id: 'wide' })).camera as PerspectiveCamera).translation;
    const betas = [0, 2.5, 1, 0, 1]; // girth, shoulders, belly: invisible to keypoints
    const silhouette = (v: Float32Array) => Array.from(rasterize(model.meshFromVertices(v), camera, H, W).faceIds, (f) => (f >= 0 ? 1 : 0));
    const trueMask = Float32Array.from(silhouette(poseBody(model, pose, betas, t).vertices));
    const obs = { xy: fitter.project(pose, betas, t, camera, H, W), confidence: new Float32Array(21).fill(1) };
    const fit = fitter.fit(obs, H, W);
    const before = maskIou(trueMask, silhouette(poseBody(model, fit.pose, fit.betas, fit.translation).vertices));
    const refined = await expectNoTensorLeak(() => refiner.refine(fit, fit.camera, hmrFocalLength(H), trueMask, H, W), 'refine');
    const after = maskIou(trueMask, silhouette(poseBody(model, refined.pose, refined.betas, refined.translation).vertices));
    expect(refined.iou).to.be.closeTo(after, 1e-9);
    expect(after, `IoU before ${before.toFixed(3)}`).to.be.above(before + 0.02);
    expect(Array.from(refined.pose)).to.deep.equal(Array.from(fit.pose));
    model.dispose();
  });
});
