import { expect } from 'chai';
import { tf } from '../../../../core/backend/tf';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import { bodyFacing, bodyHeading, headingDifference, orderingVote } from '../../../../plugins/human-smpl/keypoint-fit/facing';
import { annotatedFacing, appearanceVote, detectorScore } from '../../../../plugins/human-smpl/keypoint-fit/facing-decision';
import { KeypointFitPredictor } from '../../../../plugins/human-smpl/keypoint-fit/keypoint-fit-predictor';
import { compose, matrixToAxisAngle, rotationX, rotationY } from '../../../../plugins/human-smpl/poses/rotation-math';
import { useBuiltinFitter, fakeBlazePose, fakeMoveNet, knownPerson, landmarksFrom, swapSides } from '../helpers/known-person';

const [H, W] = [128, 64];
/** Fewer fit steps than the default: enough for a clean standing body, and quick on the cpu backend. */
const STEPS = 40;

describe('plugins/human-smpl keypoint-fit facing', () => {
  it("reads a pose's heading and facing as retex synth draws them (0 faces the camera)", () => {
    for (const heading of [0, 0.5, 2, -2.5, Math.PI, -1.2]) {
      const root = matrixToAxisAngle(compose(rotationX(Math.PI), rotationY(heading)));
      expect(headingDifference(bodyHeading(root), heading), `heading ${heading}`).to.be.below(1e-6);
      expect(bodyFacing(root)).to.equal(Math.abs(heading) < Math.PI / 2 ? 'front' : 'back');
    }
  });

  it("votes front when the person's left side is on the image's right, back when it is on the left", () => {
    const front = { leftShoulder: [40, 30], rightShoulder: [24, 30], leftHip: [37, 60], rightHip: [27, 60] } as const;
    const back = { leftShoulder: front.rightShoulder, rightShoulder: front.leftShoulder, leftHip: front.rightHip, rightHip: front.leftHip };
    const side = { leftShoulder: [32, 30], rightShoulder: [32, 30], leftHip: [32, 60], rightHip: [32, 60] } as const;
    expect(orderingVote(front)).to.be.above(0.9);
    expect(orderingVote(back)).to.be.below(-0.9);
    expect(orderingVote(side)).to.equal(0);
  });

  it('needs the looks to agree on a front: one confident back vote (MoveNet on the mirror) makes it a back', () => {
    const all = { blazePose: 0.95, blazePoseMirrored: 0.95, moveNetMirrored: 0.95 };
    expect(detectorScore(all)).to.be.above(1);
    expect(detectorScore({ ...all, moveNetMirrored: -0.95 })).to.be.below(-1);
    expect(detectorScore({ blazePose: -0.9, blazePoseMirrored: -0.9, moveNetMirrored: -0.9 })).to.be.below(-1);
    // weak votes (side-on) leave it unsure
    expect(Math.abs(detectorScore({ blazePose: 0.1, blazePoseMirrored: -0.1, moveNetMirrored: 0.05 }))).to.be.below(1);
    // BlazePose alone: its own two looks
    expect(detectorScore({ blazePose: 0.95, blazePoseMirrored: 0.95 })).to.be.above(0);
    expect(detectorScore({ blazePose: -0.95, blazePoseMirrored: -0.95 })).to.be.below(0);
  });

  it('with the appearance vote: a sure-looking back outweighs detectors that all say front, and agreeing looks stay sure', () => {
    const detectorsSayFront = { blazePose: 0.9, blazePoseMirrored: 0.9, moveNetMirrored: 0.9 };
    expect(appearanceVote(0)).to.equal(0);
    expect(appearanceVote(6)).to.be.above(0.99);
    expect(detectorScore({ ...detectorsSayFront, appearance: appearanceVote(6) })).to.be.above(1);
    expect(detectorScore({ ...detectorsSayFront, appearance: appearanceVote(-6) })).to.be.below(0);
    expect(detectorScore({ blazePose: -0.9, blazePoseMirrored: -0.9, moveNetMirrored: -0.9, appearance: appearanceVote(-6) })).to.be.below(-1);
    // without MoveNet the appearance vote is not used (its weights were fitted with all four)
    expect(detectorScore({ blazePose: 0.95, blazePoseMirrored: 0.95, appearance: -1 })).to.equal(detectorScore({ blazePose: 0.95, blazePoseMirrored: 0.95 }));
  });

  it("reads annotations.heading: 'front' or 'back', anything else is an error naming the image", () => {
    expect(annotatedFacing(undefined, 'a.jpg')).to.equal(null);
    expect(annotatedFacing({ heading: 'back' }, 'a.jpg')).to.equal('back');
    expect(() => annotatedFacing({ heading: 'left' }, 'a.jpg')).to.throw(/annotations\.heading of image 'a\.jpg' must be 'front'.*or 'back', got "left"/);
  });

  describe('the predictor on a person seen from behind', () => {
    const body = useBuiltinFitter();

    /** Predicts a back view whose BlazePose labels are `swapped` (taken for a front) or right. */
    async function predictBack(options: { swapped: boolean; moveNet: boolean; heading?: string }) {
      const person = knownPerson(body.model, body.fitter, Math.PI, H, W);
      const truth = landmarksFrom(body.fitter, person.keypoints);
      const seen = options.swapped ? swapSides(truth) : truth;
      const predictor = new KeypointFitPredictor(
        BodyModel.create(body.data),
        fakeBlazePose(seen, person.silhouette),
        { steps: STEPS, refine: false },
        options.moveNet ? fakeMoveNet(truth) : undefined,
      );
      const image = tf.zeros([H, W, 3]) as tf.Tensor3D;
      try {
        await predictor.predict({ image, id: 'back.jpg', annotations: options.heading ? { heading: options.heading } : undefined });
        return predictor.lastDiagnostics!;
      } finally {
        image.dispose();
        predictor.dispose();
      }
    }

    it('faces away when BlazePose takes the back for a front but MoveNet does not', async () => {
      const d = await predictBack({ swapped: true, moveNet: true });
      expect(d.evidence.blazePose, 'BlazePose votes front').to.be.above(0.5);
      expect(d.facing).to.equal('back');
      expect(Math.abs(d.headingDeg)).to.be.above(135);
    });

    it("follows annotations.heading over the detectors (BlazePose alone, fooled, says front)", async () => {
      const fooled = await predictBack({ swapped: true, moveNet: false });
      expect(fooled.facing, 'without MoveNet or a heading the fooled labels win').to.equal('front');
      const forced = await predictBack({ swapped: true, moveNet: false, heading: 'back' });
      expect(forced.facing).to.equal('back');
      expect(forced.facingFrom).to.equal('annotation');
    });
  });
});
