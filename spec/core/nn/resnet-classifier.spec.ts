import { expect } from 'chai';
import { initBackend } from '../../../core/backend/backend';
import { tf } from '../../../core/backend/tf';
import { ResNetClassifier } from '../../../core/nn/resnet-classifier';
import { UNet } from '../../../core/nn/unet';
import { expectNoTensorLeak, randomArray } from '../../helpers/tensors';

describe('core/nn/resnet-classifier', () => {
  before(async () => {
    await initBackend('wasm');
  });

  after(async () => {
    await initBackend('cpu');
  });

  it('returns logits and the four stage outputs at strides 1, 2, 4, 8', async () => {
    const net = new ResNetClassifier({ width: 1 / 16, numClasses: 7, inputSize: [16, 16] });
    const x = tf.tensor4d(randomArray(3 * 16 * 16 * 3, 5), [3, 16, 16, 3]);
    try {
      await expectNoTensorLeak(() => {
        const { logits, stages } = net.classify(x, true);
        expect(logits.shape).to.deep.equal([3, 7]);
        expect(stages.map((s) => s.shape)).to.deep.equal([
          [3, 16, 16, 4],
          [3, 8, 8, 8],
          [3, 4, 4, 16],
          [3, 2, 2, 32],
        ]);
        // Stage outputs follow a ReLU.
        expect(stages.every((s) => s.dataSync().every((v) => v >= 0))).to.equal(true);
        tf.dispose([logits, ...stages]);
      }, 'classify');
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('resizes inputs of another size to its input size', () => {
    const net = new ResNetClassifier({ width: 1 / 16, numClasses: 3, inputSize: [16, 8] });
    const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
    try {
      const { logits, stages } = net.classify(x, false);
      expect(stages[0].shape).to.deep.equal([2, 16, 8, 4]);
      tf.dispose([logits, ...stages]);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('has the PyTorch peer\'s parameter count at width 0.25 (U-Net + classifier = 1,243,234)', () => {
    // 1,243,234 is what bench/torch/train_step.py prints as "params" for --width 0.25.
    const unet = new UNet({ width: 0.25 });
    const clf = new ResNetClassifier({ width: 0.25 });
    try {
      const count = [...unet.trainableVariables(), ...clf.trainableVariables()].reduce((n, v) => n + v.size, 0);
      expect(count).to.equal(1243234);
      const paths = clf.namedVariables().map((v) => v.path);
      expect(paths).to.include.members([
        'classifier/stem/conv/kernel',
        'classifier/stage2/block1/shortcut_conv/kernel',
        'classifier/head/kernel',
      ]);
      expect(paths).to.not.include('classifier/stage1/block1/shortcut_conv/kernel');
    } finally {
      unet.dispose();
      clf.dispose();
    }
  });
});
