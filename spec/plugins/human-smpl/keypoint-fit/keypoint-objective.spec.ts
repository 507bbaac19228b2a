import { expect } from 'chai';
import { tf } from '../../../../core/backend/tf';
import { mulberry32 } from '../../../../core/random';
import { PerspectiveCamera } from '../../../../core/renderer/perspective-camera';
import { rodrigues as tfRodrigues } from '../../../../plugins/human-smpl/body/rodrigues';
import { rodrigues } from '../../../../plugins/human-smpl/body/plain-body-poser';
import { Adam, fitObjective, FitWorkspace, type FitParams, type FitProblem } from '../../../../plugins/human-smpl/keypoint-fit/keypoint-objective';
import { standingPose } from '../../../../plugins/human-smpl/poses/pose-set';
import { assertClose, expectNoTensorLeak } from '../../../helpers/tensors';
import { useBuiltinFitter } from '../helpers/known-person';

describe('plugins/human-smpl keypoint-fit objective (plain JS) against TF.js autodiff through BodyModel', () => {
  const body = useBuiltinFitter();
  const random = mulberry32(5);
  const r = (scale: number) => (random() * 2 - 1) * scale;

  /** A problem with random targets and confidences (some zero) and the fit's weights. */
  const problem = (): FitProblem => {
    const nk = body.fitter.keypoints.length;
    const poseWeight = Float64Array.from({ length: 69 }, () => 0.001 + random() * 0.01);
    return {
      parents: body.model.data.parents,
      shapeCount: body.model.shapeCount,
      jointTemplate: body.model.jointTemplate,
      jointShapeDirs: body.model.jointShapeDirs,
      keypointJoint: body.fitter.keypoints.map((k) => k.joint),
      keypointOffset: body.fitter.keypoints.flatMap((k) => [...k.offset]),
      target: Float64Array.from({ length: 2 * nk }, () => 0.2 + random() * 0.6),
      confidence: Float64Array.from({ length: nk }, (_, k) => (k % 5 === 3 ? 0 : 0.3 + random() * 0.7)),
      focal: 2000 / 128,
      cx: 32 / 128,
      cy: 0.5,
      poseWeight,
      poseInit: standingPose(0).subarray(3),
      shapeWeight: 0.002,
      // Entries chosen so that some limits are violated by the random pose below.
      limits: [[3 * 3, 1], [3 * 4, 1], [3 * 17 + 1, -1], [3 * 18 + 1, 1]],
      limitWeight: 1,
    };
  };
  const params = (): FitParams => ({
    root: Float64Array.from([Math.PI + r(0.2), r(0.5), r(0.2)]),
    body: Float64Array.from({ length: 69 }, () => r(0.4)),
    betas: Float64Array.from({ length: body.model.shapeCount }, () => r(1)),
    trans: Float64Array.from([r(0.1), r(0.1), 12 + r(1)]),
  });

  /** The same objective in TF.js on BodyModel.forwardJoints, and its gradient by autodiff. */
  const reference = (p: FitProblem, x: FitParams) => {
    const nk = p.keypointJoint.length;
    const f = (root: tf.Tensor, bodyPose: tf.Tensor, betas: tf.Tensor, trans: tf.Tensor): tf.Scalar => {
      const { joints, rotations } = body.model.forwardJoints({ pose: tf.concat([root, bodyPose], 1) as tf.Tensor2D, betas: betas as tf.Tensor2D, translation: trans as tf.Tensor2D });
      const idx = tf.tensor1d(Array.from(p.keypointJoint), 'int32');
      const kj = tf.gather(joints, idx, 1); // [1,K,3]
      const kr = tf.gather(rotations, idx, 1); // [1,K,3,3]
      const pts = kj.add(kr.mul(tf.tensor4d(Array.from(p.keypointOffset), [1, nk, 1, 3])).sum(3));
      const [px, py, pz] = tf.unstack(pts, 2);
      const z = pz.maximum(1e-3);
      const proj = tf.stack([px.div(z).mul(p.focal).add(p.cx), py.div(z).mul(p.focal).add(p.cy)], 2);
      const conf = tf.tensor2d(Array.from(p.confidence), [1, nk]);
      const keypoint = proj.sub(tf.tensor3d(Array.from(p.target), [1, nk, 2])).square().sum(2).mul(conf).sum().div(conf.sum().maximum(1e-6));
      const prior = bodyPose.sub(tf.tensor2d(Array.from(p.poseInit), [1, 69])).square().mul(tf.tensor2d(Array.from(p.poseWeight), [1, 69])).sum();
      const shape = betas.square().sum().mul(p.shapeWeight);
      const flat = bodyPose.reshape([69]);
      const limit = tf.addN(p.limits.map(([i, sign]) => flat.slice(i, 1).mul(-sign).relu().square().sum()));
      return keypoint.add(prior).add(shape).add(limit.mul(p.limitWeight)) as tf.Scalar;
    };
    const out = { value: NaN, grads: [] as Float64Array[] };
    tf.tidy(() => {
      const inputs = [tf.tensor2d(Array.from(x.root), [1, 3]), tf.tensor2d(Array.from(x.body), [1, 69]), tf.tensor2d(Array.from(x.betas), [1, x.betas.length]), tf.tensor2d(Array.from(x.trans), [1, 3])];
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => f(a, b, c, d))(inputs);
      out.value = value.dataSync()[0];
      out.grads = grads.map((g) => Float64Array.from(g.dataSync()));
    });
    return out;
  };

  it("the plain Rodrigues it differentiates matches body/rodrigues.ts, at zero too", () => {
    const aa = [[0, 0, 0], [0.3, -0.2, 0.9], [Math.PI, 0, 0], [1e-5, 2e-5, -1e-5]];
    const expected = tf.tidy(() => tfRodrigues(tf.tensor2d(aa)).dataSync());
    aa.forEach((v, i) => {
      const out = new Float64Array(9);
      rodrigues(v[0], v[1], v[2], out);
      assertClose(out, expected.subarray(9 * i, 9 * i + 9), { atol: 1e-6, what: `rodrigues ${v}` });
    });
  });

  it('value and gradient (root, body pose, betas, translation) match TF.js autodiff', () => {
    for (let trial = 0; trial < 3; trial++) {
      const p = problem();
      const x = params();
      const grad: FitParams = { root: new Float64Array(3), body: new Float64Array(69), betas: new Float64Array(x.betas.length), trans: new Float64Array(3) };
      const ws = new FitWorkspace(body.model.jointCount);
      const mine = fitObjective(p, x, ws, grad);
      const ref = reference(p, x);
      expect(mine.total).to.be.closeTo(ref.value, 1e-4 * Math.abs(ref.value) + 1e-7);
      const names = ['root', 'body', 'betas', 'trans'] as const;
      names.forEach((n, i) => {
        const scale = Math.max(...ref.grads[i].map(Math.abs));
        assertClose(grad[n], ref.grads[i], { atol: 2e-3 * scale + 1e-8, rtol: 2e-3, what: `trial ${trial} d/d${n}` });
      });
      // Without a gradient asked for, the same value.
      expect(fitObjective(p, x, ws).total).to.equal(mine.total);
    }
  });

  it('Adam takes the steps tf.train.adam takes', () => {
    const start = [0.5, -1.5, 2];
    const target = [1, 2, -3];
    const x = [Float64Array.from(start)];
    const adam = new Adam(0.1, [3]);
    const v = tf.variable(tf.tensor1d(start));
    const opt = tf.train.adam(0.1);
    for (let i = 0; i < 20; i++) {
      adam.step(x, [Float64Array.from(x[0], (e, k) => 2 * (e - target[k]))]);
      opt.minimize(() => v.sub(tf.tensor1d(target)).square().sum() as tf.Scalar);
    }
    assertClose(x[0], v.dataSync(), { atol: 1e-5, what: 'after 20 steps' });
    opt.dispose();
    v.dispose();
  });

  it('a fit creates no tensors', async () => {
    const camera = new PerspectiveCamera({ focalLength: 2000, principalPoint: [32, 64] });
    const kp = body.fitter.project(standingPose(0), new Float32Array(body.model.shapeCount), [0, 0, 20], camera, 128, 64);
    const obs = { xy: kp, confidence: new Float32Array(kp.length / 2).fill(1) };
    await expectNoTensorLeak(() => body.fitter.fitAll(obs, 128, 64, { steps: 8 }), 'fitAll');
  });
});
