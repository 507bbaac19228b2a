import { expect } from 'chai';
import { rasterize } from '../../../../core/renderer/rasterizer';
import { DEFAULT_REFINE_SETTINGS, SilhouetteRefiner } from '../../../../plugins/human-smpl/keypoint-fit/silhouette-refiner';
import { hmrFocalLength } from '../../../../plugins/human-smpl/predictors/body-camera';
import { poseBody } from '../../../../plugins/human-smpl/predictors/pose-body';
import { expectNoTensorLeak } from '../../../helpers/tensors';
import { knownPerson, useBuiltinFitter } from '../helpers/known-person';

const [H, W] = [128, 64];
/** The built-in body's girth coefficient (+10% cross-section per unit). */
const GIRTH = 1;

describe('plugins/human-smpl silhouette refinement reaches its limit', () => {
  const body = useBuiltinFitter();

  it('takes a shape coefficient near its limit when the silhouette asks for it (fixed halving steps stopped at 1.4 of 3)', async () => {
    const person = knownPerson(body.model, body.fitter, 0.3, H, W);
    const betas = [0, 2.8, 0, 0, 0];
    const { vertices } = poseBody(body.model, person.pose, betas, person.translation);
    const mask = Float32Array.from(rasterize(body.model.meshFromVertices(vertices), person.camera, H, W).faceIds, (f) => (f >= 0 ? 1 : 0));
    const refiner = new SilhouetteRefiner(body.model);
    const start = { pose: person.pose, betas: new Float32Array(5), translation: person.translation };
    const anchors = {
      joints: body.fitter.keypoints.map((k) => k.joint),
      xy: person.keypoints,
      confidence: Float32Array.from(body.fitter.keypoints, (k) => (k.offset.every((v) => v === 0) ? 1 : 0)),
    };
    const before = refiner.iou(start, person.camera, mask, H, W);
    const r = await expectNoTensorLeak(() => refiner.refine(start, person.camera, hmrFocalLength(H), mask, H, W, anchors), 'refine');
    expect(r.betas[GIRTH], `girth (true 2.8, IoU ${before.toFixed(3)} -> ${r.iou.toFixed(3)})`).to.be.above(2.4);
    expect(r.betas[GIRTH]).to.be.at.most(DEFAULT_REFINE_SETTINGS.betaLimit);
    expect(r.iou).to.be.above(before + 0.05);
    expect(r.evaluations).to.be.at.most(DEFAULT_REFINE_SETTINGS.maxEvaluations);
  });

  it('never passes the limit, however much the silhouette asks', () => {
    const person = knownPerson(body.model, body.fitter, 0, H, W);
    const { vertices } = poseBody(body.model, person.pose, [0, 6, 0, 0, 0], person.translation);
    const mask = Float32Array.from(rasterize(body.model.meshFromVertices(vertices), person.camera, H, W).faceIds, (f) => (f >= 0 ? 1 : 0));
    const refiner = new SilhouetteRefiner(body.model, { ...DEFAULT_REFINE_SETTINGS, betaLimit: 2 });
    const r = refiner.refine({ pose: person.pose, betas: new Float32Array(5), translation: person.translation }, person.camera, hmrFocalLength(H), mask, H, W);
    expect(r.betas[GIRTH]).to.equal(2);
  });
});
