import { expect } from 'chai';
import { tf } from '../../../../core/backend/tf';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import { rodrigues } from '../../../../plugins/human-smpl/body/rodrigues';
import { smplJointIndex } from '../../../../plugins/human-smpl/body/smpl-skeleton';
import { assertClose, expectNoTensorLeak, randomArray } from '../../../helpers/tensors';
import { testBodyData, testJointPositions } from '../helpers/test-skeleton';

function rotX(angle: number): number[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [1, 0, 0, 0, c, -s, 0, s, c];
}

function apply(m: number[], p: ArrayLike<number>, o = 0): number[] {
  return [0, 1, 2].map((r) => m[3 * r] * p[o] + m[3 * r + 1] * p[o + 1] + m[3 * r + 2] * p[o + 2]);
}

describe('plugins/human-smpl body model', () => {
  let model: BodyModel;
  before(() => {
    model = BodyModel.create(testBodyData({ shapeCount: 2, poseDirs: true, blend: false }));
  });
  after(() => model.dispose());

  it('rodrigues matches closed-form rotations, including the identity', () => {
    const r = rodrigues(tf.tensor2d([0, 0, 0, Math.PI / 2, 0, 0, 0, 0, 1e-5], [3, 3]));
    const m = r.arraySync();
    r.dispose();
    assertClose(m[0].flat(), [1, 0, 0, 0, 1, 0, 0, 0, 1], { what: 'identity' });
    assertClose(m[1].flat(), rotX(Math.PI / 2), { atol: 1e-6, what: 'rot x 90' });
    assertClose(m[2].flat(), [1, -1e-5, 0, 1e-5, 1, 0, 0, 0, 1], { atol: 1e-7, what: 'tiny z' });
  });

  it('zero pose and betas give the template and the regressed joints', () => {
    const out = model.forward({ betas: tf.zeros([2, 2]), pose: tf.zeros([2, 72]) });
    expect(out.vertices.shape).to.deep.equal([2, 48, 3]);
    expect(out.joints.shape).to.deep.equal([2, 24, 3]);
    const t = Array.from(model.data.vTemplate);
    assertClose(out.vertices, [...t, ...t], { atol: 1e-6, what: 'vertices' });
    const j = Array.from(testJointPositions());
    assertClose(out.joints, [...j, ...j], { atol: 1e-6, what: 'joints' });
    tf.dispose([out.vertices, out.joints]);
  });

  it('betas add the shape directions, and the joints follow through the regressor', () => {
    const betas = [0.5, -2];
    const out = model.forward({ betas: tf.tensor2d([betas]), pose: tf.zeros([1, 72]) });
    const d = model.data;
    const expected = Array.from(d.vTemplate, (x, i) => x + d.shapeDirs[2 * i] * betas[0] + d.shapeDirs[2 * i + 1] * betas[1]);
    assertClose(out.vertices, expected, { atol: 1e-6, what: 'shaped vertices' });
    // the regressor picks vertex 2j for joint j
    const expectedJoints = Array.from({ length: 72 }, (_, k) => expected[6 * Math.floor(k / 3) + (k % 3)]);
    assertClose(out.joints, expectedJoints, { atol: 1e-6, what: 'shaped joints' });
    tf.dispose([out.vertices, out.joints]);
  });

  it('a root rotation plus translation moves everything rigidly about the root joint', () => {
    const noPoseDirs = BodyModel.create(testBodyData({ poseDirs: false, blend: true }));
    const pose = new Float32Array(72);
    pose.set([0.3, -1.1, 0.4]);
    const rm = rodrigues(tf.tensor2d([0.3, -1.1, 0.4], [1, 3]));
    const m = Array.from(rm.dataSync());
    rm.dispose();
    const trans = [0.2, -0.1, 3];
    const out = noPoseDirs.forward({ betas: tf.zeros([1, 2]), pose: tf.tensor2d(pose, [1, 72]), translation: tf.tensor2d([trans]) });
    const root = testJointPositions().slice(0, 3);
    const expected: number[] = [];
    const tpl = noPoseDirs.data.vTemplate;
    for (let v = 0; v < tpl.length / 3; v++) {
      const rel = [0, 1, 2].map((c) => tpl[3 * v + c] - root[c]);
      const r = apply(m, rel);
      expected.push(...r.map((x, c) => x + root[c] + trans[c]));
    }
    assertClose(out.vertices, expected, { atol: 1e-5, what: 'rigid vertices' });
    tf.dispose([out.vertices, out.joints]);
    noPoseDirs.dispose();
  });

  it('joints follow the kinematic chain: hip flexed 90 degrees, knee bent back, batched', () => {
    const plain = BodyModel.create(testBodyData({ poseDirs: false }));
    const pose = new Float32Array(2 * 72);
    const hip = smplJointIndex('left_hip');
    const knee = smplJointIndex('left_knee');
    pose[3 * hip] = Math.PI / 2; // item 0: hip only
    pose[72 + 3 * hip] = Math.PI / 2; // item 1: hip, and knee back to vertical
    pose[72 + 3 * knee] = -Math.PI / 2;
    const out = plain.forward({ betas: tf.zeros([2, 2]), pose: tf.tensor2d(pose, [2, 72]) });
    const j = out.joints.arraySync();
    const rest = testJointPositions();
    const at = (k: number) => [rest[3 * k], rest[3 * k + 1], rest[3 * k + 2]];
    const hipP = at(hip);
    // item 0: the thigh (0,-0.4,0) turns to (0,0,-0.4) about x; the shin follows rigidly
    assertClose(j[0][knee], [hipP[0], hipP[1], hipP[2] - 0.4], { atol: 1e-6, what: 'knee 0' });
    assertClose(j[0][smplJointIndex('left_ankle')], [hipP[0], hipP[1], hipP[2] - 0.8], { atol: 1e-6, what: 'ankle 0' });
    // foot offset (0,-0.05,0.1) rotated by +90 deg about x -> (0,-0.1,-0.05)
    assertClose(j[0][smplJointIndex('left_foot')], [hipP[0], hipP[1] - 0.1, hipP[2] - 0.8 - 0.05], { atol: 1e-6, what: 'foot 0' });
    // item 1: global rotation of the shin is identity again
    assertClose(j[1][smplJointIndex('left_ankle')], [hipP[0], hipP[1] - 0.4, hipP[2] - 0.4], { atol: 1e-6, what: 'ankle 1' });
    // untouched chains stay at rest
    assertClose(j[1][smplJointIndex('right_ankle')], at(smplJointIndex('right_ankle')), { atol: 1e-6, what: 'right ankle' });
    // vertices skinned rigidly to a joint move with it: vertex 2j is joint j
    const v = out.vertices.arraySync();
    assertClose(v[1][2 * smplJointIndex('left_ankle')], j[1][smplJointIndex('left_ankle')], { atol: 1e-6, what: 'skinned vertex' });
    tf.dispose([out.vertices, out.joints]);
    plain.dispose();
  });

  it('pose blend shapes add posedirs times (R - I) of the non-root joints', () => {
    const pose = new Float32Array(72);
    const neck = smplJointIndex('neck');
    pose.set([0, 0, 0.7], 3 * neck);
    const out = model.forward({ betas: tf.zeros([1, 2]), pose: tf.tensor2d(pose, [1, 72]) });
    const rm = rodrigues(tf.tensor2d([0, 0, 0.7], [1, 3]));
    const r = rm.dataSync();
    rm.dispose();
    const feat = new Float32Array(207);
    for (let k = 0; k < 9; k++) feat[9 * (neck - 1) + k] = r[k] - (k % 4 === 0 ? 1 : 0);
    // vertex 0 (pelvis) is skinned to the unrotated root, so only the blend shape moves it
    const d = model.data;
    const expected = [0, 1, 2].map((c) => {
      let s = d.vTemplate[c];
      for (let p = 0; p < 207; p++) s += (d.poseDirs as Float32Array)[c * 207 + p] * feat[p];
      return s;
    });
    assertClose(out.vertices.slice([0, 0, 0], [1, 1, 3]), expected, { atol: 1e-6, what: 'pelvis vertex' });
    tf.dispose([out.vertices, out.joints]);
  });

  it('the gradient w.r.t. pose and betas matches central finite differences', () => {
    const blended = BodyModel.create(testBodyData({ shapeCount: 2, poseDirs: true, blend: true }));
    const pose0 = randomArray(72, 7).map((x) => 0.6 * x);
    const betas0 = new Float32Array([0.3, -0.2]);
    const probe = tf.tensor3d(randomArray(48 * 3, 9), [1, 48, 3]);
    const jointProbe = tf.tensor3d(randomArray(72, 11), [1, 24, 3]);
    const loss = (pose: tf.Tensor2D, betas: tf.Tensor2D) => {
      const out = blended.forward({ betas, pose });
      return out.vertices.mul(probe).sum().add(out.joints.mul(jointProbe).sum()) as tf.Scalar;
    };
    const grads = tf.tidy(() =>
      tf.grads((p: tf.Tensor, b: tf.Tensor) => loss(p as tf.Tensor2D, b as tf.Tensor2D))([
        tf.tensor2d(pose0, [1, 72]),
        tf.tensor2d(betas0, [1, 2]),
      ]).map((g) => g.arraySync() as number[][]),
    );
    const h = 1e-2;
    const evalAt = (pose: Float32Array, betas: Float32Array) =>
      tf.tidy(() => loss(tf.tensor2d(pose, [1, 72]), tf.tensor2d(betas, [1, 2])).dataSync()[0]);
    const numericPose = Array.from({ length: 72 }, (_, i) => {
      const a = pose0.slice();
      const b = pose0.slice();
      a[i] += h;
      b[i] -= h;
      return (evalAt(a, betas0) - evalAt(b, betas0)) / (2 * h);
    });
    assertClose(grads[0][0], numericPose, { atol: 2e-3, rtol: 2e-2, what: 'd loss / d pose' });
    const numericBetas = [0, 1].map((i) => {
      const a = betas0.slice();
      const b = betas0.slice();
      a[i] += h;
      b[i] -= h;
      return (evalAt(pose0, a) - evalAt(pose0, b)) / (2 * h);
    });
    assertClose(grads[1][0], numericBetas, { atol: 2e-3, rtol: 2e-2, what: 'd loss / d betas' });
    tf.dispose([probe, jointProbe]);
    blended.dispose();
  });

  it('leaks no tensors (forward and a gradient), and create/dispose frees its constants', async () => {
    await expectNoTensorLeak(() => {
      const m = BodyModel.create(testBodyData({ poseDirs: true }));
      const pose = tf.tensor2d(randomArray(72, 3), [1, 72]);
      const betas = tf.zeros([1, 2]) as tf.Tensor2D;
      const translation = tf.tensor2d([[0, 0, 1]]);
      const out = m.forward({ betas, pose, translation });
      tf.dispose([out.vertices, out.joints, translation]);
      const g = tf.grad((p: tf.Tensor) => m.forward({ betas, pose: p as tf.Tensor2D }).vertices.sum())(pose);
      tf.dispose([g, pose, betas]);
      m.dispose();
    }, 'body model');
  });

  it('rejects poses and betas of the wrong width with the expected shape', () => {
    tf.tidy(() => {
      expect(() => model.forward({ betas: tf.zeros([1, 2]), pose: tf.zeros([1, 69]) })).to.throw(/\[B,72\]/);
      expect(() => model.forward({ betas: tf.zeros([1, 3]), pose: tf.zeros([1, 72]) })).to.throw(/S <= 2/);
    });
  });
});
