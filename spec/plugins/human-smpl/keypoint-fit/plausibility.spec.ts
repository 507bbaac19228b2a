import { expect } from 'chai';
import { tf } from '../../../../core/backend/tf';
import { rasterize } from '../../../../core/renderer/rasterizer';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import { legProportions, maskExtent } from '../../../../plugins/human-smpl/keypoint-fit/body-plausibility';
import { KeypointFitPredictor } from '../../../../plugins/human-smpl/keypoint-fit/keypoint-fit-predictor';
import { useBuiltinFitter, fakeBlazePose, fakeMoveNet, knownPerson, landmarksFrom } from '../helpers/known-person';

const [H, W] = [128, 64];
const STEPS = 40;
/** BlazePose landmark indices of the legs. */
const KNEES = [25, 26];
const ANKLES_AND_FEET = [27, 28, 29, 30, 31, 32];

describe('plugins/human-smpl keypoint-fit body plausibility', () => {
  const body = useBuiltinFitter();

  const rows = (silhouette: ArrayLike<number>) => {
    const e = maskExtent(silhouette, H, W);
    return e ? e.bottom - e.top : 0;
  };

  async function predict(landmarks: Float32Array, mask: Float32Array) {
    const predictor = new KeypointFitPredictor(BodyModel.create(body.data), fakeBlazePose(landmarks, mask), { steps: STEPS, refine: false }, fakeMoveNet(landmarks));
    const image = tf.zeros([H, W, 3]) as tf.Tensor3D;
    try {
      const aligned = await predictor.predict({ image, id: 'legs.jpg' });
      return { aligned, diagnostics: predictor.lastDiagnostics! };
    } finally {
      image.dispose();
      predictor.dispose();
    }
  }

  it('measures legs against the torso: about 1.6 torso lengths for a standing body', () => {
    const person = knownPerson(body.model, body.fitter, Math.PI, H, W);
    const legs = legProportions({ xy: person.keypoints, confidence: new Float32Array(21).fill(1) }, body.fitter.keypoints);
    expect(legs.ratio).to.be.within(1.3, 1.9);
    expect(legs.left.thighDrop).to.be.within(0.6, 1.1);
  });

  it('drops ankles put at the thighs (a back view) and fits legs of body proportions instead of shrinking', async () => {
    const person = knownPerson(body.model, body.fitter, Math.PI, H, W);
    const landmarks = landmarksFrom(body.fitter, person.keypoints);
    // BlazePose on a back: knees just under the hips, ankles and feet at mid-thigh
    for (const side of [0, 1]) {
      const hip = [landmarks[2 * (23 + side)], landmarks[2 * (23 + side) + 1]];
      const knee = KNEES[side];
      const thigh = landmarks[2 * knee + 1] - hip[1];
      landmarks[2 * knee + 1] = hip[1] + 0.3 * thigh;
      for (const f of ANKLES_AND_FEET.filter((_, i) => i % 2 === side)) landmarks.set([hip[0], hip[1] + 0.6 * thigh], 2 * f);
    }
    const { aligned, diagnostics } = await predict(landmarks, person.silhouette);
    expect(diagnostics.recovered.join(' '), 'the legs were replaced').to.match(/leg .* of the torso length/);
    const fitted = Array.from(rasterize(aligned.mesh, aligned.camera, H, W).faceIds, (f) => (f >= 0 ? 1 : 0));
    expect(rows(fitted) / rows(person.silhouette), 'fitted height over the true one').to.be.above(0.9);
    expect(diagnostics.torsoRatio).to.be.within(0.9, 1.1);
  });

  it('says what is wrong when no fit can match the person mask (keypoints of a body half its size)', async () => {
    const big = knownPerson(body.model, body.fitter, 0, H, W);
    const small = knownPerson(body.model, body.fitter, 0, H, W, 2);
    const err = await predict(landmarksFrom(body.fitter, small.keypoints), big.silhouette).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/could not fit a plausible body to image 'legs\.jpg': the fitted body is 0\.\d+ of the person mask's height \(at least 0\.8 expected\)/);
  });
});
