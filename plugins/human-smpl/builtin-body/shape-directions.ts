import { smoothstep } from './vec3';

/** Names of the built-in body's shape coefficients (betas), in order. One unit is a moderate change. */
export const BUILTIN_SHAPE_NAMES = ['height', 'girth', 'shoulderWidth', 'legLength', 'belly'] as const;

const LIMBS = new Set(['torso', 'neck', 'leftArm', 'rightArm', 'leftLeg', 'rightLeg']);
const HIP_HEIGHT = 0.89;

/**
 * Displacement of one vertex per unit of each shape coefficient, [S*3] (x, y, z per direction), in the
 * floor frame (y = 0 at the soles). The joint regressor reads ring points, so joints follow each direction.
 * @param p the vertex; c the centre of its ring; part the tube's name
 */
export function shapeDisplacements(p: readonly number[], c: readonly number[], part: string): number[] {
  const radial = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
  const out: number[] = [];
  // height: +5% stature, everything scaled up from the floor
  out.push(0, 0.05 * p[1], 0);
  // girth: +10% cross-section size of torso and limbs (+3% of head, hands and feet)
  const g = LIMBS.has(part) ? 0.1 : 0.03;
  out.push(g * radial[0], g * radial[1], g * radial[2]);
  // shoulder width: the upper torso widens and the arms move out by 3 cm each
  if (part === 'torso') out.push(0.15 * radial[0] * smoothstep(1.1, 1.38, p[1]), 0, 0);
  else if (/Arm$|Hand$/.test(part)) out.push(Math.sign(p[0]) * 0.03, 0, 0);
  else out.push(0, 0, 0);
  // leg length: legs +6%, everything above the hips lifted with them
  out.push(0, 0.06 * Math.min(p[1], HIP_HEIGHT), 0);
  // belly: the front of the waist pushed forward
  const bump = part === 'torso' ? smoothstep(0.92, 1.08, p[1]) * (1 - smoothstep(1.12, 1.28, p[1])) : 0;
  out.push(0, 0, 0.6 * Math.max(0, radial[2]) * bump);
  return out;
}
