import { tf } from '../../../../core/backend/tf';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import type { BodyModelData } from '../../../../plugins/human-smpl/body/body-model-types';
import { PlainBodyPoser } from '../../../../plugins/human-smpl/body/plain-body-poser';
import { builtinBodyData } from '../../../../plugins/human-smpl/builtin-body/builtin-body';
import { assertClose } from '../../../helpers/tensors';
import { testBodyData } from '../helpers/test-skeleton';

function compare(data: BodyModelData, betas: number[]): void {
  const model = BodyModel.create(data);
  try {
    const pose = Array.from({ length: 3 * data.parents.length }, (_, i) => Math.sin(1.7 * i + 0.3) * 0.4);
    const translation: [number, number, number] = [0.1, -0.2, 3];
    const ours = new PlainBodyPoser(data).pose(pose, betas, translation);
    const ref = tf.tidy(() => {
      const out = model.forward({ betas: tf.tensor2d([betas]), pose: tf.tensor2d([pose]), translation: tf.tensor2d([translation]) });
      return { vertices: out.vertices.dataSync(), joints: out.joints.dataSync() };
    });
    assertClose(ours.vertices, ref.vertices, { atol: 1e-5, rtol: 0, what: 'vertices' });
    assertClose(ours.joints, ref.joints, { atol: 1e-5, rtol: 0, what: 'joints' });
  } finally {
    model.dispose();
  }
}

describe('plugins/human-smpl/body/plain-body-poser', () => {
  it('matches BodyModel.forward on the built-in body (vertices, joints, translation)', () => {
    compare(builtinBodyData(), [0.8, -1.1, 0.4, 0.2, -0.5]);
  });

  it('matches BodyModel.forward with pose blend shapes and blended skinning', () => {
    compare(testBodyData({ shapeCount: 3, poseDirs: true, blend: true }), [0.5, -0.7, 0.2]);
  });
});
