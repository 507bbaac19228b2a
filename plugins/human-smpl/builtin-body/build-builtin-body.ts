import type { BodyModelData } from '../body/body-model-types';
import { SMPL_JOINT_COUNT, SMPL_JOINT_NAMES, SMPL_PARENTS } from '../body/smpl-skeleton';
import { builtinBodyParts, FLOOR_PELVIS_HEIGHT } from './body-layout';
import { BUILTIN_SHAPE_NAMES, shapeDisplacements } from './shape-directions';
import { buildTube } from './tube';
import { packCharts, placeUv } from './uv-atlas';

/** Gap between UV charts and around the atlas border, in UV units (1.5 texels of a 64x64 texture). */
const CHART_PADDING = 1.5 / 64;
/** Front half-angle (radians) and height band (floor frame, metres) of the head that counts as face. */
const FACE_HALF_ANGLE = (65 * Math.PI) / 180;
const FACE_BAND: readonly [number, number] = [1.49, 1.665];

/**
 * Generates retex's open built-in body: SMPL's 24-joint skeleton and 72-d pose parameters on a closed
 * surface of swept elliptic tubes (torso, neck, head, arms, hands, legs, feet) that overlap at the joints.
 * - skinning: each part is owned joint by joint along its centreline, blended smoothly across each joint
 *   over a width proportional to the limb's radius (distance along the bone chain);
 * - shape: the five directions of `BUILTIN_SHAPE_NAMES` (height, girth, shoulder width, leg length, belly);
 * - pose blend shapes: none (`poseDirs` is null, i.e. zero): corrective shapes need scan data;
 * - UVs: one chart per part, packed into the unit square at a common texel density (the head at 1.8x,
 *   for the face); regions `face`, `leftHand`, `rightHand` for the face/hand loss.
 * Deterministic: the same arrays on every call.
 */
export function buildBuiltinBody(): BodyModelData {
  const specs = builtinBodyParts();
  for (const s of specs) {
    if (s.owners.length !== s.stations.length + 1) {
      throw new Error(`built-in body part '${s.name}': needs ${s.stations.length + 1} owners, has ${s.owners.length}`);
    }
  }
  const tubes = specs.map(buildTube);
  const placements = packCharts(
    tubes.map((t) => ({ width: t.chartSize[0] * t.spec.uvDensity, height: t.chartSize[1] * t.spec.uvDensity })),
    CHART_PADDING,
  );
  const nv = tubes.reduce((n, t) => n + t.positions.length / 3, 0);
  const nf = tubes.reduce((n, t) => n + t.faces.length / 3, 0);
  const nt = tubes.reduce((n, t) => n + t.uvs.length / 2, 0);
  const ns = BUILTIN_SHAPE_NAMES.length;
  const nj = SMPL_JOINT_COUNT;
  const vTemplate = new Float32Array(nv * 3);
  const weights = new Float32Array(nv * nj);
  const shapeDirs = new Float32Array(nv * 3 * ns);
  const jointRegressor = new Float32Array(nj * nv);
  const faces = new Int32Array(nf * 3);
  const uvFaces = new Int32Array(nf * 3);
  const uvs = new Float32Array(nt * 2);
  const regions: Record<string, Uint8Array> = {
    face: new Uint8Array(nf),
    leftHand: new Uint8Array(nf),
    rightHand: new Uint8Array(nf),
  };
  const jointSeen = new Uint8Array(nj);
  let vo = 0;
  let fo = 0;
  let to = 0;
  tubes.forEach((tube, ti) => {
    const n = tube.positions.length / 3;
    for (let v = 0; v < n; v++) {
      const p = tube.positions.slice(3 * v, 3 * v + 3);
      const c = tube.ringCenters.slice(3 * v, 3 * v + 3);
      vTemplate.set([p[0], p[1] - FLOOR_PELVIS_HEIGHT, p[2]], 3 * (vo + v));
      for (const [j, w] of tube.weights[v]) weights[(vo + v) * nj + j] += w;
      const d = shapeDisplacements(p, c, tube.spec.name);
      for (let s = 0; s < ns; s++) for (let k = 0; k < 3; k++) shapeDirs[(3 * (vo + v) + k) * ns + s] = d[3 * s + k];
    }
    for (const { joint, vertices } of tube.jointVertices) {
      if (jointSeen[joint]) throw new Error(`built-in body: joint ${SMPL_JOINT_NAMES[joint]} is defined twice`);
      jointSeen[joint] = 1;
      for (const v of vertices) jointRegressor[joint * nv + vo + v] += 0.5;
    }
    const nuv = tube.uvs.length / 2;
    for (let t = 0; t < nuv; t++) uvs.set(placeUv(placements[ti], tube.uvs[2 * t], tube.uvs[2 * t + 1]), 2 * (to + t));
    const tf = tube.faces.length / 3;
    for (let f = 0; f < tf; f++) {
      const corners = [0, 1, 2].map((k) => tube.faces[3 * f + k]);
      for (let k = 0; k < 3; k++) {
        faces[3 * (fo + f) + k] = vo + corners[k];
        uvFaces[3 * (fo + f) + k] = to + tube.uvFaces[3 * f + k];
      }
      const name = tube.spec.name;
      if (name === 'leftHand' || name === 'rightHand') regions[name][fo + f] = 1;
      if (name === 'head') {
        const inFace = corners.every((v) => {
          const a = tube.angle[v];
          const y = tube.positions[3 * v + 1];
          return Math.abs(a - Math.PI / 2) <= FACE_HALF_ANGLE && y >= FACE_BAND[0] && y <= FACE_BAND[1];
        });
        if (inFace) regions.face[fo + f] = 1;
      }
    }
    vo += n;
    fo += tf;
    to += nuv;
  });
  const missing = SMPL_JOINT_NAMES.filter((_, j) => !jointSeen[j]);
  if (missing.length > 0) throw new Error(`built-in body: no ring defines joint(s) ${missing.join(', ')}`);
  return {
    vTemplate,
    faces,
    uvs,
    uvFaces,
    jointRegressor,
    weights,
    shapeDirs,
    shapeCount: ns,
    poseDirs: null,
    parents: Int32Array.from(SMPL_PARENTS),
    jointNames: [...SMPL_JOINT_NAMES],
    regions,
    source: 'builtin',
  };
}
