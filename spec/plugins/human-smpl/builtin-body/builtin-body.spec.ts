import { expect } from 'chai';
import { tf } from '../../../../core/backend/tf';
import { PerspectiveCamera } from '../../../../core/renderer/perspective-camera';
import { SparseRenderer } from '../../../../core/renderer/sparse-renderer';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import { smplJointIndex } from '../../../../plugins/human-smpl/body/smpl-skeleton';
import { uvRegionMask, uvTriangleMask } from '../../../../plugins/human-smpl/body/uv-region-mask';
import { buildBuiltinBody } from '../../../../plugins/human-smpl/builtin-body/build-builtin-body';
import { builtinBodyData } from '../../../../plugins/human-smpl/builtin-body/builtin-body';
import { BUILTIN_SHAPE_NAMES } from '../../../../plugins/human-smpl/builtin-body/shape-directions';
import { walkingPose } from '../../../../plugins/human-smpl/poses/pose-set';
import { expectNoTensorLeak } from '../../../helpers/tensors';

function pose(yaw = 0, base: Float32Array = new Float32Array(72)): tf.Tensor2D {
  const p = base.slice();
  p.set([0, yaw, 0]);
  return tf.tensor2d(p, [1, 72]);
}

function posed(model: BodyModel, p: tf.Tensor2D, betas?: number[]): { v: Float32Array; j: Float32Array } {
  const b = tf.tensor2d([betas ?? new Array(model.shapeCount).fill(0)]);
  const out = model.forward({ betas: b, pose: p });
  const r = { v: out.vertices.dataSync() as Float32Array, j: out.joints.dataSync() as Float32Array };
  tf.dispose([out.vertices, out.joints, b, p]);
  return r;
}

function extent(v: Float32Array, axis: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = axis; i < v.length; i += 3) {
    lo = Math.min(lo, v[i]);
    hi = Math.max(hi, v[i]);
  }
  return [lo, hi];
}

/** A camera in front of the body (OpenCV axes: the body's +y is up in the image, its +z faces the camera). */
function frontCamera(height: number): PerspectiveCamera {
  const f = 3000 * (height / 128);
  return new PerspectiveCamera({ focalLength: f, rotation: [Math.PI, 0, 0], translation: [0, -0.1, (f * 1.75) / (0.9 * height)] });
}

describe('plugins/human-smpl built-in body', () => {
  const data = builtinBodyData();
  let model: BodyModel;
  before(() => {
    model = BodyModel.create(data);
  });
  after(() => model.dispose());

  it('is deterministic, several thousand vertices, on SMPL 24-joint skeleton, with valid arrays', () => {
    const again = buildBuiltinBody();
    expect(Buffer.from(again.vTemplate.buffer).equals(Buffer.from(data.vTemplate.buffer))).to.equal(true);
    expect(Buffer.from(again.uvs.buffer).equals(Buffer.from(data.uvs.buffer))).to.equal(true);
    const nv = data.vTemplate.length / 3;
    expect(nv).to.be.within(3000, 12000);
    expect(data.parents.length).to.equal(24);
    expect(data.poseDirs).to.equal(null);
    expect(data.shapeCount).to.equal(BUILTIN_SHAPE_NAMES.length);
  });

  it('is a closed, consistently wound surface (every edge used twice, once each way) enclosing a body-sized volume', () => {
    const f = data.faces;
    const n = 1 << 20; // vertex ids are below 2^20, so a * n + b is an exact key
    const edges = new Map<number, number>();
    for (let i = 0; i < f.length; i += 3) {
      for (let k = 0; k < 3; k++) {
        const key = f[i + k] * n + f[i + ((k + 1) % 3)];
        edges.set(key, (edges.get(key) ?? 0) + 1);
      }
    }
    let bad = 0;
    for (const [key, count] of edges) {
      const reverse = (key % n) * n + Math.floor(key / n);
      if (count !== 1 || edges.get(reverse) !== 1) bad++;
    }
    expect(bad, 'directed edges not used exactly once, or without their reverse').to.equal(0);
    let volume = 0;
    const v = data.vTemplate;
    for (let i = 0; i < f.length; i += 3) {
      const [a, b, c] = [f[i], f[i + 1], f[i + 2]].map((x) => [v[3 * x], v[3 * x + 1], v[3 * x + 2]]);
      volume += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6;
    }
    // overlapping parts count twice where they interpenetrate, so this is a bit above a person's ~0.07 m^3
    expect(volume).to.be.within(0.05, 0.13);
  });

  it('has adult proportions: stature ~1.71 m, pelvis at the origin, joints where the kinematic tree expects them', () => {
    const { v, j } = posed(model, pose());
    const [ymin, ymax] = extent(v, 1);
    expect(ymax - ymin).to.be.within(1.66, 1.76);
    const at = (name: Parameters<typeof smplJointIndex>[0]) => Array.from(j.slice(3 * smplJointIndex(name), 3 * smplJointIndex(name) + 3));
    expect(Math.hypot(...at('pelvis'))).to.be.below(1e-5);
    expect(at('left_hip')[0]).to.be.above(0.05); // SMPL: the left side is +x
    expect(at('right_hip')[0]).to.be.below(-0.05);
    expect(at('head')[1]).to.be.above(at('neck')[1]);
    expect(at('left_wrist')[0]).to.be.above(at('left_elbow')[0]); // T-pose arms along +x
    const thigh = Math.hypot(...at('left_knee').map((x, i) => x - at('left_hip')[i]));
    expect(thigh).to.be.within(0.36, 0.46);
  });

  it('shape directions: +1 height makes it ~5% taller, +1 girth widens the waist, and joints follow', () => {
    const base = posed(model, pose());
    const tall = posed(model, pose(), [1, 0, 0, 0, 0]);
    const h0 = extent(base.v, 1);
    const h1 = extent(tall.v, 1);
    expect((h1[1] - h1[0]) / (h0[1] - h0[0])).to.be.within(1.045, 1.055);
    const head = 3 * smplJointIndex('head') + 1;
    expect(tall.j[head]).to.be.above(base.j[head] + 0.02);
    const wide = posed(model, pose(), [0, 2, 0, 0, 0]);
    const waist = (v: Float32Array) => {
      let w = 0;
      for (let i = 0; i < v.length; i += 3) if (v[i + 1] > 0.08 && v[i + 1] < 0.14 && Math.abs(v[i]) < 0.3) w = Math.max(w, Math.abs(v[i]));
      return 2 * w;
    };
    expect(waist(wide.v) / waist(base.v)).to.be.within(1.1, 1.3);
  });

  it('packs a UV atlas that uses most of the texture without overlapping charts', () => {
    let area = 0;
    for (let i = 0; i < data.uvFaces.length; i += 3) {
      const [a, b, c] = [0, 1, 2].map((k) => [data.uvs[2 * data.uvFaces[i + k]], data.uvs[2 * data.uvFaces[i + k] + 1]]);
      area += Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2;
    }
    const mask = uvTriangleMask(data.uvs, data.uvFaces, [512, 512]);
    const covered = mask.reduce((s, x) => s + x, 0) / mask.length;
    expect(covered).to.be.above(0.75);
    // if charts overlapped, the summed triangle area would exceed the covered fraction
    expect(Math.abs(area - covered)).to.be.below(0.01);
  });

  it('has face and hand UV regions with masks at a given texture size', () => {
    const face = uvRegionMask(data, 'face', [64, 64]);
    const hands = uvRegionMask(data, ['leftHand', 'rightHand'], [64, 64]);
    const count = (m: Float32Array) => m.reduce((s, x) => s + x, 0);
    expect(count(face)).to.be.within(40, 600);
    expect(count(hands)).to.be.within(40, 600);
    for (let i = 0; i < face.length; i++) expect(face[i] * hands[i]).to.equal(0);
    expect(() => uvRegionMask(data, 'feet', [8, 8])).to.throw(/no UV region 'feet'.*face, leftHand, rightHand/);
  });

  it('renders as a person-shaped silhouette at 128x64, the face region visible from the front only', () => {
    const renderer = new SparseRenderer();
    const faceMask = uvRegionMask(data, 'face', [64, 64]);
    const look = (yaw: number, base?: Float32Array) => {
      const { v } = posed(model, pose(yaw, base));
      const frag = renderer.rasterize(model.meshFromVertices(v), frontCamera(128), 128, 64);
      const op = renderer.operator(frag, [64, 64], 'nearest');
      const tex = tf.tensor4d(Array.from(faceMask, (x) => [x, x, x]).flat(), [1, 64, 64, 3]);
      const img = op.apply(tex);
      const faceImg = img.dataSync();
      tf.dispose([tex, img]);
      op.dispose();
      let facePixels = 0;
      let faceTop = 128;
      for (let p = 0; p < 128 * 64; p++) {
        if (faceImg[3 * p] > 0.5) {
          facePixels++;
          faceTop = Math.min(faceTop, Math.floor(p / 64));
        }
      }
      const rows = Array.from({ length: 128 }, (_, y) => frag.faceIds.slice(y * 64, (y + 1) * 64).filter((f) => f >= 0).length);
      return { rows, facePixels, faceTop, mask: frag.faceIds };
    };
    const front = look(0, walkingPose(0)); // arms down
    const back = look(Math.PI, walkingPose(0));
    const side = look(Math.PI / 2, walkingPose(0.25));
    const covered = front.rows.filter((n) => n > 0);
    expect(covered.length, 'rows covered by the body').to.be.within(100, 125);
    const top = front.rows.findIndex((n) => n > 0);
    const headWidth = front.rows[top + 8];
    const shoulderWidth = Math.max(...front.rows.slice(top + 20, top + 30));
    expect(shoulderWidth, 'shoulders wider than the head').to.be.above(1.6 * headWidth);
    expect(front.facePixels, 'face seen from the front').to.be.above(10);
    expect(front.faceTop - top, 'face in the head area').to.be.below(12);
    expect(back.facePixels, 'face hidden from the back').to.equal(0);
    const sideWidth = Math.max(...side.rows.slice(top + 20, top + 40));
    expect(sideWidth, 'side view thinner than the front').to.be.below(shoulderWidth);
  });

  it('poses without leaking tensors', async () => {
    await expectNoTensorLeak(() => {
      const p = pose(0.3, walkingPose(0.5));
      const b = tf.zeros([1, 5]) as tf.Tensor2D;
      const out = model.forward({ betas: b, pose: p });
      tf.dispose([out.vertices, out.joints, p, b]);
    });
  });
});
