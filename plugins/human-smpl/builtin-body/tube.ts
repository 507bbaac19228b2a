import { add, catmullRom, cross, dot, length, normalize, scale, smoothstep, sub, type Vec3 } from './vec3';

/** One cross-section of a tube: a (super)ellipse around `center`, perpendicular to the centreline. */
export interface TubeStation {
  readonly center: Vec3;
  /** Half-width along the ring's side axis (perpendicular to the tangent and to the front reference), metres. */
  readonly side: number;
  /** Extent towards the front reference, metres. */
  readonly front: number;
  /** Extent away from the front reference, metres. */
  readonly back: number;
  /** SMPL joint whose rest position is this ring's centre (the joint regressor averages two opposite ring points). */
  readonly joint?: number;
}

/** A closed, capped, swept tube: one body part with its own UV chart. */
export interface TubeSpec {
  readonly name: string;
  /** Cross-sections along the centreline, start to end; the centreline passes through every centre. */
  readonly stations: readonly TubeStation[];
  /** Direction the ring's `front` extent points to (projected perpendicular to the tangent). */
  readonly frontRef: Vec3;
  /** World direction the UV seam faces (where the chart is cut open), e.g. the back of the head. */
  readonly seamDirection: Vec3;
  /** Vertices per ring; a multiple of 4. */
  readonly segments: number;
  /** Target distance between rings, metres. */
  readonly spacing: number;
  /** Cap lengths at the start and end as multiples of the end ring's mean radius (1 = hemisphere). */
  readonly caps: readonly [number, number];
  /** Rings per cap (besides the pole). */
  readonly capRings: number;
  /** Superellipse exponent of the cross-sections (2 = ellipse; larger is boxier). */
  readonly exponent: number;
  /**
   * SMPL joint that owns (skins) each stretch of the tube: `owners[0]` before the first station (start cap),
   * `owners[i + 1]` between stations i and i+1, the last one after the last station (end cap).
   */
  readonly owners: readonly number[];
  /** Half-width of the skinning blend at a change of owner, as a multiple of the ring's mean radius. */
  readonly blend: number;
  /** Texel-density multiplier of this part's UV chart (faces deserve more texels than thighs). */
  readonly uvDensity: number;
}

/** The geometry of one tube, in local indices. */
export interface TubeGeometry {
  readonly spec: TubeSpec;
  /** float [n*3]. */
  readonly positions: number[];
  /** Centre of each vertex's ring, float [n*3] (for shape directions). */
  readonly ringCenters: number[];
  /** Arc-length position of each vertex's ring along the centreline, metres from the start pole. */
  readonly axial: number[];
  /** Angle of each vertex around its ring (radians; π/2 = front, 0 = side axis), NaN at the poles. */
  readonly angle: number[];
  /** Skinning weights per vertex: a sparse list of [joint, weight]. */
  readonly weights: Array<Array<[number, number]>>;
  readonly faces: number[];
  /** Chart-local UVs in [0,1]^2: u around the ring, v along the tube. */
  readonly uvs: number[];
  readonly uvFaces: number[];
  /** Physical chart size, metres: [around (mean perimeter), along (total length)]. */
  readonly chartSize: readonly [number, number];
  /** Joint regressor entries: each listed joint is the mean of the two vertices. */
  readonly jointVertices: Array<{ joint: number; vertices: [number, number] }>;
}

interface Ring {
  center: Vec3;
  tangent: Vec3;
  side: number;
  front: number;
  back: number;
  station: number; // station index, or -1
  axial: number;
}

const meanRadius = (r: { side: number; front: number; back: number }) => (r.side + (r.front + r.back) / 2) / 2;

function sampleCentreline(spec: TubeSpec): Ring[] {
  const st = spec.stations;
  const n = st.length;
  const at = (i: number): TubeStation => {
    if (i >= 0 && i < n) return st[i];
    // Phantom stations mirror the neighbour so the spline ends straight.
    const [a, b] = i < 0 ? [st[0], st[1]] : [st[n - 1], st[n - 2]];
    return {
      center: sub(scale(a.center, 2), b.center),
      side: 2 * a.side - b.side,
      front: 2 * a.front - b.front,
      back: 2 * a.back - b.back,
    };
  };
  const rings: Ring[] = [];
  for (let i = 0; i < n - 1; i++) {
    const steps = Math.max(1, Math.round(length(sub(st[i + 1].center, st[i].center)) / spec.spacing));
    for (let k = 0; k < steps; k++) {
      const t = k / steps;
      const [p0, p1, p2, p3] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
      const cr = (f: (s: TubeStation) => number) => catmullRom(f(p0), f(p1), f(p2), f(p3), t);
      rings.push({
        center: [cr((s) => s.center[0]), cr((s) => s.center[1]), cr((s) => s.center[2])],
        tangent: [0, 0, 0],
        side: Math.max(1e-3, cr((s) => s.side)),
        front: Math.max(1e-3, cr((s) => s.front)),
        back: Math.max(1e-3, cr((s) => s.back)),
        station: k === 0 ? i : -1,
        axial: 0,
      });
    }
  }
  const last = st[n - 1];
  rings.push({ center: last.center, tangent: [0, 0, 0], side: last.side, front: last.front, back: last.back, station: n - 1, axial: 0 });
  for (let r = 0; r < rings.length; r++) {
    const a = rings[Math.max(0, r - 1)].center;
    const b = rings[Math.min(rings.length - 1, r + 1)].center;
    rings[r].tangent = normalize(sub(b, a));
  }
  return rings;
}

function capRings(spec: TubeSpec, end: Ring, outward: Vec3, capScale: number): { rings: Ring[]; pole: Vec3 } {
  const capLen = capScale * meanRadius(end);
  const rings: Ring[] = [];
  for (let j = 1; j <= spec.capRings; j++) {
    const phi = (j / (spec.capRings + 1)) * (Math.PI / 2);
    const c = Math.cos(phi);
    rings.push({
      center: add(end.center, scale(outward, capLen * Math.sin(phi))),
      tangent: end.tangent,
      side: end.side * c,
      front: end.front * c,
      back: end.back * c,
      station: -1,
      axial: 0,
    });
  }
  return { rings, pole: add(end.center, scale(outward, capLen)) };
}

/** Sweeps a tube: rings along a Catmull-Rom centreline through the stations, closed by elliptic caps and poles. */
export function buildTube(spec: TubeSpec): TubeGeometry {
  const m = spec.segments;
  if (m % 4 !== 0) throw new Error(`tube '${spec.name}': segments must be a multiple of 4, got ${m}`);
  const main = sampleCentreline(spec);
  const start = capRings(spec, main[0], scale(main[0].tangent, -1), spec.caps[0]);
  const end = capRings(spec, main[main.length - 1], main[main.length - 1].tangent, spec.caps[1]);
  const rings = [...start.rings.reverse(), ...main, ...end.rings];
  // Arc length along ring centres, pole to pole.
  const centres = [start.pole, ...rings.map((r) => r.center), end.pole];
  const axialAll = [0];
  for (let i = 1; i < centres.length; i++) axialAll.push(axialAll[i - 1] + length(sub(centres[i], centres[i - 1])));
  rings.forEach((r, i) => (r.axial = axialAll[i + 1]));
  const total = axialAll[axialAll.length - 1];

  // Seam angle: the ring direction closest to seamDirection, snapped to a vertex angle.
  const mid = main[Math.floor(main.length / 2)];
  const frameOf = (r: Ring): [Vec3, Vec3] => {
    const f = normalize(sub(spec.frontRef, scale(r.tangent, dot(spec.frontRef, r.tangent))));
    return [normalize(cross(r.tangent, f)), f];
  };
  const [midSide, midFront] = frameOf(mid);
  const seamRaw = Math.atan2(dot(spec.seamDirection, midFront), dot(spec.seamDirection, midSide));
  const step = (2 * Math.PI) / m;
  const seamK = Math.round(seamRaw / step);
  const theta0 = seamK * step;

  const positions: number[] = [];
  const ringCenters: number[] = [];
  const axial: number[] = [];
  const angle: number[] = [];
  const pe = 2 / spec.exponent;
  const spow = (x: number) => Math.sign(x) * Math.pow(Math.abs(x), pe);
  for (const r of rings) {
    const [eSide, eFront] = frameOf(r);
    for (let k = 0; k < m; k++) {
      const th = theta0 + k * step;
      const c = Math.cos(th);
      const s = Math.sin(th);
      const depth = s >= 0 ? r.front : r.back;
      const p = add(add(r.center, scale(eSide, r.side * spow(c))), scale(eFront, depth * spow(s)));
      positions.push(...p);
      ringCenters.push(...r.center);
      axial.push(r.axial);
      angle.push(((th % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI));
    }
  }
  const poleStart = rings.length * m;
  const poleEnd = poleStart + 1;
  for (const [p, ax] of [[start.pole, 0], [end.pole, total]] as Array<[Vec3, number]>) {
    positions.push(...p);
    ringCenters.push(...p);
    axial.push(ax);
    angle.push(Number.NaN);
  }

  // UVs: (m+1) per ring (the seam column is duplicated), then m per pole (one per fan triangle).
  const uvs: number[] = [];
  for (const r of rings) for (let k = 0; k <= m; k++) uvs.push(k / m, r.axial / total);
  const uvPoleStart = uvs.length / 2;
  for (let k = 0; k < m; k++) uvs.push((k + 0.5) / m, 0);
  const uvPoleEnd = uvs.length / 2;
  for (let k = 0; k < m; k++) uvs.push((k + 0.5) / m, 1);

  const faces: number[] = [];
  const uvFaces: number[] = [];
  const vid = (r: number, k: number) => r * m + (k % m);
  const tid = (r: number, k: number) => r * (m + 1) + k;
  for (let r = 0; r + 1 < rings.length; r++) {
    for (let k = 0; k < m; k++) {
      faces.push(vid(r, k), vid(r, k + 1), vid(r + 1, k + 1), vid(r, k), vid(r + 1, k + 1), vid(r + 1, k));
      uvFaces.push(tid(r, k), tid(r, k + 1), tid(r + 1, k + 1), tid(r, k), tid(r + 1, k + 1), tid(r + 1, k));
    }
  }
  const lastRing = rings.length - 1;
  for (let k = 0; k < m; k++) {
    faces.push(poleStart, vid(0, k + 1), vid(0, k));
    uvFaces.push(uvPoleStart + k, tid(0, k + 1), tid(0, k));
    faces.push(poleEnd, vid(lastRing, k), vid(lastRing, k + 1));
    uvFaces.push(uvPoleEnd + k, tid(lastRing, k), tid(lastRing, k + 1));
  }
  // Outward winding: the signed volume of a closed surface is positive when faces are counter-clockwise
  // seen from outside; the frame's handedness decides which way the loops above went.
  let volume = 0;
  for (let f = 0; f < faces.length; f += 3) {
    const [a, b, c] = [0, 1, 2].map((i) => positions.slice(3 * faces[f + i], 3 * faces[f + i] + 3) as unknown as Vec3);
    volume += dot(a, cross(b, c));
  }
  if (volume < 0) {
    for (let f = 0; f < faces.length; f += 3) {
      [faces[f + 1], faces[f + 2]] = [faces[f + 2], faces[f + 1]];
      [uvFaces[f + 1], uvFaces[f + 2]] = [uvFaces[f + 2], uvFaces[f + 1]];
    }
  }

  // Skinning: the owner of each stretch, blended smoothly across each station where the owner changes.
  const stationAxial = main.filter((r) => r.station >= 0).map((r) => r.axial);
  const stationRadius = spec.stations.map((s) => meanRadius(s));
  const weights: Array<Array<[number, number]>> = axial.map((s) => {
    const w = new Map<number, number>();
    let current = 1; // weight still to hand out, walking from the start
    for (let i = 0; i < stationAxial.length; i++) {
      const h = Math.max(1e-4, spec.blend * stationRadius[i]);
      const past = smoothstep(stationAxial[i] - h, stationAxial[i] + h, s); // share that belongs beyond station i
      const here = current * (1 - past);
      if (here > 0) w.set(spec.owners[i], (w.get(spec.owners[i]) ?? 0) + here);
      current *= past;
    }
    if (current > 0) {
      const o = spec.owners[stationAxial.length];
      w.set(o, (w.get(o) ?? 0) + current);
    }
    return [...w.entries()].filter(([, x]) => x > 1e-6);
  });

  const seamOffset = ((-seamK % m) + m) % m; // k at which θ = 0 (mod 2π)
  const jointVertices: Array<{ joint: number; vertices: [number, number] }> = [];
  let stationRing = start.rings.length;
  for (const r of main) {
    const st = r.station >= 0 ? spec.stations[r.station] : undefined;
    if (st?.joint !== undefined) {
      const ri = stationRing;
      jointVertices.push({ joint: st.joint, vertices: [vid(ri, seamOffset), vid(ri, seamOffset + m / 2)] });
    }
    stationRing++;
  }

  let perimeter = 0;
  for (const r of main) {
    const a = r.side;
    const b = (r.front + r.back) / 2;
    const h = ((a - b) / (a + b)) ** 2;
    perimeter += Math.PI * (a + b) * (1 + (3 * h) / (10 + Math.sqrt(4 - 3 * h)));
  }
  perimeter /= main.length;
  return {
    spec,
    positions,
    ringCenters,
    axial,
    angle,
    weights,
    faces,
    uvs,
    uvFaces,
    chartSize: [perimeter, total],
    jointVertices,
  };
}
