import { rasterize } from '../../../../core/renderer/rasterizer';
import { PerspectiveCamera } from '../../../../core/renderer/perspective-camera';
import { BodyModel } from '../../../../plugins/human-smpl/body/body-model';
import { builtinBodyData } from '../../../../plugins/human-smpl/builtin-body/builtin-body';
import type { BlazePoseDetector, PoseDetection } from '../../../../plugins/human-smpl/keypoint-fit/blazepose-detector';
import { KeypointFitter } from '../../../../plugins/human-smpl/keypoint-fit/keypoint-fitter';
import type { MoveNetDetection, MoveNetDetector } from '../../../../plugins/human-smpl/keypoint-fit/movenet-detector';
import { compose, matrixToAxisAngle, rotationX, rotationY } from '../../../../plugins/human-smpl/poses/rotation-math';
import { standingPose } from '../../../../plugins/human-smpl/poses/pose-set';
import { hmrFocalLength } from '../../../../plugins/human-smpl/predictors/body-camera';
import { poseBody } from '../../../../plugins/human-smpl/predictors/pose-body';

/** A standing body with a known heading, framed in an H x W image by a centred HMR camera. */
export interface KnownPerson {
  readonly pose: Float32Array;
  readonly translation: [number, number, number];
  readonly camera: PerspectiveCamera;
  /** float32 [21*2]: the fitter's keypoints, pixels. */
  readonly keypoints: Float32Array;
  /** float32 [H*W] in {0,1}: the body's silhouette. */
  readonly silhouette: Float32Array;
}

/** @param heading radians, 0 facing the camera, pi facing away (retex synth's convention) */
export function knownPerson(model: BodyModel, fitter: KeypointFitter, heading: number, h: number, w: number, depthScale = 1): KnownPerson {
  const pose = standingPose(0).slice();
  pose.set(matrixToAxisAngle(compose(rotationX(Math.PI), rotationY(heading))), 0);
  const camera = new PerspectiveCamera({ focalLength: hmrFocalLength(Math.max(h, w)) });
  // 1.76 m tall filling about 85% of the height; the pelvis (the origin) a little above the middle
  const depth = ((hmrFocalLength(Math.max(h, w)) * 1.76) / (0.85 * h)) * depthScale;
  const translation: [number, number, number] = [0, -0.05, depth];
  const keypoints = fitter.project(pose, [], translation, camera, h, w);
  const { vertices } = poseBody(model, pose, [], translation);
  const silhouette = Float32Array.from(rasterize(model.meshFromVertices(vertices), camera, h, w).faceIds, (f) => (f >= 0 ? 1 : 0));
  return { pose, translation, camera, keypoints, silhouette };
}

/** The 33 BlazePose landmarks a detector would give for the fitter's keypoints (the rest at the pelvis). */
export function landmarksFrom(fitter: KeypointFitter, keypoints: Float32Array): Float32Array {
  const out = new Float32Array(66);
  const hips = ['left_hip', 'right_hip'].map((n) => fitter.keypoints.findIndex((k) => k.name === n));
  const mid = [(keypoints[2 * hips[0]] + keypoints[2 * hips[1]]) / 2, (keypoints[2 * hips[0] + 1] + keypoints[2 * hips[1] + 1]) / 2];
  for (let i = 0; i < 33; i++) out.set(mid, 2 * i);
  fitter.keypoints.forEach((k, i) => out.set([keypoints[2 * i], keypoints[2 * i + 1]], 2 * k.landmark));
  return out;
}

/** BlazePose's left/right landmark pairs (the rest are on the midline). */
const BLAZEPOSE_PAIRS: ReadonlyArray<[number, number]> = [
  [1, 4], [2, 5], [3, 6], [7, 8], [9, 10], [11, 12], [13, 14], [15, 16], [17, 18], [19, 20], [21, 22], [23, 24], [25, 26],
  [27, 28], [29, 30], [31, 32],
];

/** The same landmarks with every left and right label swapped (what a detector gives a back it takes for a front). */
export function swapSides(landmarks: Float32Array): Float32Array {
  const out = Float32Array.from(landmarks);
  for (const [a, b] of BLAZEPOSE_PAIRS) {
    out.set(landmarks.subarray(2 * b, 2 * b + 2), 2 * a);
    out.set(landmarks.subarray(2 * a, 2 * a + 2), 2 * b);
  }
  return out;
}

/**
 * A stand-in for BlazePose that "sees" the given landmarks and mask. Like a detector that holds to its
 * reading, on the mirrored image it gives the same points with the labels swapped.
 */
export function fakeBlazePose(landmarks: Float32Array, mask: Float32Array): BlazePoseDetector {
  const detection = (l: Float32Array): PoseDetection => ({ personScore: 0.99, landmarks: l, confidence: new Float32Array(33).fill(0.95), mask });
  return {
    detect: async (_image: unknown, mirrored = false) => detection(mirrored ? swapSides(landmarks) : landmarks),
    dispose: () => undefined,
  } as unknown as BlazePoseDetector;
}

/** A stand-in for MoveNet whose shoulders and hips come from BlazePose-order landmarks. */
export function fakeMoveNet(landmarks: Float32Array): MoveNetDetector {
  // COCO order from BlazePose indices: nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles
  const coco = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28];
  const detection = (l: Float32Array): MoveNetDetection => ({
    keypoints: Float32Array.from(coco.flatMap((b) => [l[2 * b], l[2 * b + 1]])),
    scores: new Float32Array(17).fill(0.9),
  });
  return {
    detect: async (_image: unknown, mirrored = false) => detection(mirrored ? swapSides(landmarks) : landmarks),
    dispose: () => undefined,
  } as unknown as MoveNetDetector;
}

/** The built-in body, a model on it and a keypoint fitter, made before a describe's tests and disposed after. */
export function useBuiltinFitter(): { readonly data: ReturnType<typeof builtinBodyData>; readonly model: BodyModel; readonly fitter: KeypointFitter } {
  const data = builtinBodyData();
  let model: BodyModel | undefined;
  let fitter: KeypointFitter | undefined;
  before(() => {
    model = BodyModel.create(data);
    fitter = new KeypointFitter(model);
  });
  after(() => model?.dispose());
  const made = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('useBuiltinFitter: used outside a test');
    return x;
  };
  return {
    data,
    get model() {
      return made(model);
    },
    get fitter() {
      return made(fitter);
    },
  };
}
