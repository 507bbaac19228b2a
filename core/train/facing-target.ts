/**
 * Soft target of a "faces the viewer" logit from the z of a unit direction in camera axes (a body's or a
 * bird's forward axis; negative: towards the viewer): 0.5 edge-on, 0.92 at z = -0.3, 0.98 at z = -0.5.
 */
export function facingTarget(z: number): number {
  return 1 / (1 + Math.exp(8 * z));
}
