import { SMPL_JOINT_NAMES } from '../body/smpl-skeleton';

/** Share of skinning weight on the region's joints above which a vertex belongs to the region. */
const REGION_WEIGHT = 0.5;
/** How far in front of the head joint (metres, +z) a head vertex must be to count as face. */
const FACE_DEPTH = 0.02;

function jointIndex(names: readonly string[], name: string): number {
  const j = names.indexOf(name);
  if (j < 0) throw new Error(`cannot derive UV regions: the body has no joint named '${name}'`);
  return j;
}

/**
 * Named face regions (`face`, `leftHand`, `rightHand`) for a licensed SMPL body, which carries no such
 * labels: a hand is where the wrist and hand joints own most of the skinning weight; the face is the part
 * of the head (head joint dominant) in front of the head joint, the body facing +z. A face belongs to a
 * region when all three corners do.
 * @param vTemplate float32 [V*3]; weights float32 [V*J]; faces int32 [F*3]; joints float32 [J*3]
 * @returns per-face flags uint8 [F] by region name
 */
export function deriveRegionsFromSkinning(
  vTemplate: Float32Array,
  weights: Float32Array,
  faces: Int32Array,
  joints: Float32Array,
  jointNames: readonly string[] = SMPL_JOINT_NAMES,
): Record<string, Uint8Array> {
  const nj = jointNames.length;
  const nv = vTemplate.length / 3;
  const share = (v: number, js: number[]) => js.reduce((s, j) => s + weights[v * nj + j], 0);
  const head = jointIndex(jointNames, 'head');
  const headZ = joints[3 * head + 2];
  const vertexSets: Record<string, (v: number) => boolean> = {
    face: (v) => share(v, [head]) > REGION_WEIGHT && vTemplate[3 * v + 2] > headZ + FACE_DEPTH,
    leftHand: (v) => share(v, [jointIndex(jointNames, 'left_wrist'), jointIndex(jointNames, 'left_hand')]) > REGION_WEIGHT,
    rightHand: (v) => share(v, [jointIndex(jointNames, 'right_wrist'), jointIndex(jointNames, 'right_hand')]) > REGION_WEIGHT,
  };
  const out: Record<string, Uint8Array> = {};
  for (const [name, test] of Object.entries(vertexSets)) {
    const inside = new Uint8Array(nv);
    for (let v = 0; v < nv; v++) inside[v] = test(v) ? 1 : 0;
    const flags = new Uint8Array(faces.length / 3);
    for (let f = 0; f < flags.length; f++) {
      flags[f] = inside[faces[3 * f]] & inside[faces[3 * f + 1]] & inside[faces[3 * f + 2]];
    }
    out[name] = flags;
  }
  return out;
}
