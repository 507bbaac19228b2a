import * as fs from 'fs';
import { faceTopologySource } from './human-package';

/** Vertices of MediaPipe's face mesh (without the 10 iris points of the refined model). */
export const FACE_VERTEX_COUNT = 468;

/**
 * The canonical face mesh's topology: per-vertex UVs (one UV per vertex, no seams: the layout is a frontal
 * projection of the face) and the triangles.
 */
export interface FaceTopology {
  /** float32 [468*2]: u right, v up (OBJ convention; the package's v points down and is flipped here). */
  readonly uvs: Float32Array;
  /** int32 [F*3], counter-clockwise seen from in front of the face (checked on the UV layout). */
  readonly faces: Int32Array;
  /** int32 [468]: each vertex's left-right mirror vertex (itself on the midline). */
  readonly mirror: Int32Array;
}

function parseArray(text: string, name: string, file: string): unknown {
  const m = text.match(new RegExp(`export const ${name}[^=]*=\\s*(\\[[\\s\\S]*?\\]);`));
  if (!m) throw new Error(`${file} holds no ${name}: the installed @vladmandic/human changed its sources`);
  return JSON.parse(m[1].replace(/,\s*\]$/, ']'));
}

/**
 * The mirror vertex of each vertex: the one whose UV is nearest (1 - u, v). The package's layout is
 * symmetric to 1.2e-3 in UV, so this is exact; it is checked to be an involution.
 */
export function mirrorVertices(uvs: Float32Array): Int32Array {
  const n = uvs.length / 2;
  const mirror = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const mu = 1 - uvs[2 * i];
    const v = uvs[2 * i + 1];
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      const d = (uvs[2 * j] - mu) ** 2 + (uvs[2 * j + 1] - v) ** 2;
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    mirror[i] = best;
  }
  for (let i = 0; i < n; i++) {
    if (mirror[mirror[i]] !== i) throw new Error(`face topology: the UV layout is not left-right symmetric at vertex ${i}`);
  }
  return mirror;
}

let cached: FaceTopology | null = null;

/**
 * Reads the canonical topology from `@vladmandic/human`'s `UV468` and `TRI468` (once per process).
 * Triangles that are clockwise in the UV layout are turned so every face is counter-clockwise from the front.
 * @throws naming the package when it is missing or its sources hold other data
 */
export function loadFaceTopology(): FaceTopology {
  if (cached) return cached;
  const file = faceTopologySource();
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the installed @vladmandic/human ships no sources; reinstall it`);
  const text = fs.readFileSync(file, 'utf8');
  const uv = parseArray(text, 'UV468', file) as number[][];
  const tri = parseArray(text, 'TRI468', file) as number[];
  if (!Array.isArray(uv) || uv.length !== FACE_VERTEX_COUNT || !Array.isArray(tri) || tri.length % 3 !== 0) {
    throw new Error(`${file}: UV468 must hold ${FACE_VERTEX_COUNT} pairs and TRI468 a multiple of 3 indices`);
  }
  const uvs = new Float32Array(FACE_VERTEX_COUNT * 2);
  uv.forEach(([u, v], i) => {
    uvs[2 * i] = u;
    uvs[2 * i + 1] = 1 - v;
  });
  const faces = Int32Array.from(tri);
  for (let f = 0; f < faces.length; f += 3) {
    const [a, b, c] = [faces[f], faces[f + 1], faces[f + 2]];
    const area = (uvs[2 * b] - uvs[2 * a]) * (uvs[2 * c + 1] - uvs[2 * a + 1]) - (uvs[2 * b + 1] - uvs[2 * a + 1]) * (uvs[2 * c] - uvs[2 * a]);
    if (area < 0) {
      faces[f + 1] = c;
      faces[f + 2] = b;
    }
  }
  cached = { uvs, faces, mirror: mirrorVertices(uvs) };
  return cached;
}

/** A few landmark indices of the 468-point mesh by meaning (subject's own left and right). */
export const FACE_LANDMARKS = {
  noseTip: 1,
  foreheadTop: 10,
  chin: 152,
  rightEyeOuter: 33,
  rightEyeInner: 133,
  leftEyeInner: 362,
  leftEyeOuter: 263,
  mouthRight: 61,
  mouthLeft: 291,
  upperLip: 0,
  lowerLip: 17,
  noseBottom: 2,
  noseBridge: 168,
  rightBrow: 105,
  leftBrow: 334,
  rightNoseWing: 129,
  leftNoseWing: 358,
} as const;
