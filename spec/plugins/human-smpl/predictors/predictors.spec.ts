import { expect } from 'chai';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { tf } from '../../../../core/backend/tf';
import type { AlignedMesh } from '../../../../core/interfaces/mesh';
import type { MeshPredictor } from '../../../../core/interfaces/mesh-predictor';
import type { ImplementationContext, RetexConfig } from '../../../../core/plugin';
import { rasterize } from '../../../../core/renderer/rasterizer';
import { rodrigues } from '../../../../plugins/human-smpl/body/rodrigues';
import { smplJointIndex } from '../../../../plugins/human-smpl/body/smpl-skeleton';
import { defaultPoseSet } from '../../../../plugins/human-smpl/poses/pose-set';
import { compose, matrixToAxisAngle, rotationX, rotationY, rotationZ } from '../../../../plugins/human-smpl/poses/rotation-math';
import { HUMAN_MESH_PREDICTORS } from '../../../../plugins/human-smpl/predictors/mesh-predictor-implementations';
import { RandomPosePredictor } from '../../../../plugins/human-smpl/predictors/random-pose-predictor';
import { assertClose, expectNoTensorLeak } from '../../../helpers/tensors';
import { tempDir } from '../helpers/smpl-fixtures';
import { rejects } from '../../../helpers/rejection';

function context(options: Record<string, unknown>): ImplementationContext {
  const config = { pluginOptions: { bodyModel: 'builtin' } } as unknown as RetexConfig;
  return { config, options, container: undefined as never };
}

function silhouetteRows(aligned: AlignedMesh, h = 128, w = 64): { top: number; bottom: number; left: number; right: number } {
  const frag = rasterize(aligned.mesh, aligned.camera, h, w);
  let top = h;
  let bottom = -1;
  let left = w;
  let right = -1;
  for (let p = 0; p < h * w; p++) {
    if (frag.faceIds[p] < 0) continue;
    const y = Math.floor(p / w);
    const x = p % w;
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
    left = Math.min(left, x);
    right = Math.max(right, x);
  }
  return { top, bottom, left, right };
}

describe('plugins/human-smpl mesh predictors', () => {
  let image: tf.Tensor3D;
  before(() => {
    image = tf.zeros([128, 64, 3]) as tf.Tensor3D; // in before(): the backend is ready only then
  });
  after(() => image.dispose());

  it('matrixToAxisAngle inverts Rodrigues, including half turns', () => {
    const cases = [compose(rotationX(0.4), rotationZ(-1.2)), rotationX(Math.PI), compose(rotationX(Math.PI), rotationY(0.7)), rotationY(0)];
    for (const m of cases) {
      const aa = matrixToAxisAngle(m);
      const r = rodrigues(tf.tensor2d([aa], [1, 3]));
      assertClose(r, m, { atol: 1e-5, what: 'round trip' });
      r.dispose();
    }
  });

  it('pose set: 16 distinct poses with the arms lowered from the T-pose and a zero root', () => {
    const set = defaultPoseSet();
    expect(set.length).to.equal(16);
    for (const p of set) {
      expect(Array.from(p.slice(0, 3))).to.deep.equal([0, 0, 0]);
      const shoulder = p.slice(3 * smplJointIndex('left_shoulder'), 3 * smplJointIndex('left_shoulder') + 3);
      expect(Math.hypot(...shoulder)).to.be.above(1); // > 57 degrees: arms down
    }
    expect(new Set(set.map((p) => p.join(','))).size).to.equal(16);
  });

  describe('precomputed', () => {
    const dir = tempDir('retex-params-');
    const file = path.join(dir, 'params.json');
    const flip = matrixToAxisAngle(rotationX(Math.PI));
    const pose = new Array(72).fill(0);
    pose.splice(0, 3, ...flip);
    before(() => {
      writeFileSync(
        file,
        JSON.stringify({
          images: {
            'a.jpg': { pose, betas: new Array(10).fill(0), camera: { weakPerspective: [0.9, 0, 0.1] } },
            'b.jpg': { pose, betas: new Array(10).fill(0), camera: { focalLength: 1000, translation: [0, 0, 10] } },
          },
        }),
      );
    });

    it('aligns the body with the weak-perspective camera of HMR-family tools', async () => {
      const predictor = (await HUMAN_MESH_PREDICTORS.precomputed.create(context({ file }))) as MeshPredictor;
      const aligned = await predictor.predict({ image, id: 'a.jpg' });
      // side 128: the pelvis (model origin) lands at cx + 64 s tx, cy + 64 s ty
      const origin = aligned.camera.project(new Float32Array([0, 0, 0]), 128, 64);
      assertClose(origin.slice(0, 2), [32, 64 + 64 * 0.9 * 0.1], { atol: 1e-3, what: 'pelvis pixel' });
      const box = silhouetteRows(aligned);
      // a 1.71 m body at scale 0.9 spans 64 * 0.9 * 1.71 = 98 px; the head is up (smaller y)
      expect(box.bottom - box.top + 1).to.be.within(94, 102);
      // upright after the root's half turn: 0.76 m of body above the pelvis, 0.95 m below it
      expect(origin[1] - box.top).to.be.within(38, 48);
      expect(box.bottom - origin[1]).to.be.within(50, 58);
      const b = await predictor.predict({ image, id: 'path/to/b.jpg' });
      const o2 = b.camera.project(new Float32Array([0, 0, 0]), 128, 64);
      assertClose(o2, [32, 64, 10], { atol: 1e-4, what: 'perspective origin' });
      predictor.dispose();
    });

    it('names the image or the field when parameters are missing or mis-shaped', async () => {
      const predictor = (await HUMAN_MESH_PREDICTORS.precomputed.create(context({ file }))) as MeshPredictor;
      expect((await rejects(predictor.predict({ image, id: 'zzz.jpg' }))).message).to.match(/no body parameters for image 'zzz\.jpg'.*2 images/);
      predictor.dispose();
      const bad = path.join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ 'x.jpg': { pose: pose.slice(0, 69), betas: new Array(10).fill(0), camera: { weakPerspective: [1, 0, 0] } } }));
      expect((await rejects(HUMAN_MESH_PREDICTORS.precomputed.create(context({ file: bad })))).message).to.match(
        /image 'x\.jpg': 'pose' must be 72 finite numbers.*got an array of 69/,
      );
      writeFileSync(bad, JSON.stringify({ 'x.jpg': { pose, betas: [1, 2], camera: { weakPerspective: [1, 0, 0] } } }));
      expect((await rejects(HUMAN_MESH_PREDICTORS.precomputed.create(context({ file: bad })))).message).to.match(/'betas' must be 10/);
      writeFileSync(bad, JSON.stringify({ 'x.jpg': { pose, betas: new Array(10).fill(0), camera: { weakPerspective: [0, 0, 0] } } }));
      expect((await rejects(HUMAN_MESH_PREDICTORS.precomputed.create(context({ file: bad })))).message).to.match(/s > 0/);
    });
  });

  describe('random-pose', () => {
    it('draws deterministically per seed and image, and frames the body to fill the image', async () => {
      const p0 = (await HUMAN_MESH_PREDICTORS['random-pose'].create(context({ seed: 3 }))) as RandomPosePredictor;
      const p1 = (await HUMAN_MESH_PREDICTORS['random-pose'].create(context({ seed: 3 }))) as RandomPosePredictor;
      const ids = Array.from({ length: 40 }, (_, i) => `img${i}.jpg`);
      const draws = ids.map((id) => p0.draw(id));
      expect(ids.map((id) => p1.draw(id).pose.join())).to.deep.equal(draws.map((d) => d.pose.join()));
      expect(new Set(draws.map((d) => d.poseIndex)).size).to.be.above(8);
      expect(new Set(draws.map((d) => Math.round(d.heading / (Math.PI / 4)) % 8)).size).to.be.above(5);
      await expectNoTensorLeak(async () => {
        for (const id of ids.slice(0, 6)) {
          const box = silhouetteRows(await p0.predict({ image, id }));
          const height = box.bottom - box.top + 1;
          const width = box.right - box.left + 1;
          expect(Math.max(height / 128, width / 64), `fill of ${id}`).to.be.within(0.8, 0.9);
          expect(Math.abs((box.top + box.bottom) / 2 - 64)).to.be.below(3);
        }
      }, 'random-pose predict');
      p0.dispose();
      p1.dispose();
    });

    it('changes the draw with the seed', () => {
      const other = new RandomPosePredictor(undefined as never, defaultPoseSet(), 4);
      const same = new RandomPosePredictor(undefined as never, defaultPoseSet(), 3);
      const ids = Array.from({ length: 20 }, (_, i) => `img${i}.jpg`);
      expect(ids.map((id) => other.draw(id).pose.join())).to.not.deep.equal(ids.map((id) => same.draw(id).pose.join()));
    });
  });
});
