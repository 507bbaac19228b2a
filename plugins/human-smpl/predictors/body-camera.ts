import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';

/**
 * Focal length (pixels) of HMR/SPIN's camera: 5000 px for a 224 px crop, scaled with the crop side. So long
 * a lens is nearly orthographic, as those tools' weak-perspective cameras assume.
 */
export function hmrFocalLength(cropSide: number): number {
  return (5000 * cropSide) / 224;
}

/**
 * The perspective camera equivalent to an HMR/SPIN weak-perspective camera [s, tx, ty]: a point projects
 * to normalized crop coordinates s (X + t) in [-1,1], the crop being the square of side max(H, W) centred
 * on the image; depth tz = 2 f / (side s). The body's root orientation is then in camera axes (x right,
 * y down, z forward), so the camera has no rotation.
 * @throws for a non-positive scale
 */
export function cameraFromWeakPerspective(
  weak: readonly [number, number, number],
  height: number,
  width: number,
  focalLength?: number,
): PerspectiveCamera {
  const [s, tx, ty] = weak;
  if (!(s > 0) || !Number.isFinite(tx) || !Number.isFinite(ty)) {
    throw new Error(`weak-perspective camera [s, tx, ty] needs s > 0 and finite tx, ty; got ${JSON.stringify(weak)}`);
  }
  const side = Math.max(height, width);
  const f = focalLength ?? hmrFocalLength(side);
  return new PerspectiveCamera({ focalLength: f, translation: [tx, ty, (2 * f) / (side * s)] });
}

/**
 * A camera (no rotation, HMR's long lens) that frames posed vertices in an H x W image: the body's
 * bounding box centred, its larger relative extent filling `fill` of the image.
 * @param vertices float32 [V*3] already in camera axes (x right, y down, z away from the camera)
 */
export function framingCamera(vertices: Float32Array, height: number, width: number, fill = 0.85): PerspectiveCamera {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < vertices.length; i++) {
    const c = i % 3;
    lo[c] = Math.min(lo[c], vertices[i]);
    hi[c] = Math.max(hi[c], vertices[i]);
  }
  const f = hmrFocalLength(Math.max(height, width));
  const depthForHeight = (f * (hi[1] - lo[1])) / (fill * height);
  const depthForWidth = (f * (hi[0] - lo[0])) / (fill * width);
  // The silhouette's extent is that of the box's nearest face: move its near side to the wanted depth.
  const tz = Math.max(depthForHeight, depthForWidth) - lo[2];
  return new PerspectiveCamera({
    focalLength: f,
    translation: [-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, tz],
  });
}
