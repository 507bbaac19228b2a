import { expect } from 'chai';
import type { Mesh } from '../../../core/interfaces/mesh';
import { MeshError } from '../../../core/renderer/mesh-validation';
import { PerspectiveCamera } from '../../../core/renderer/perspective-camera';
import { cubeMesh, quadMesh, uvSphereMesh } from '../../../core/renderer/primitives';
import { rasterize } from '../../../core/renderer/rasterizer';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { assertClose } from '../../helpers/tensors';

/** Identity weak-perspective camera: model x, y in [-1,1] map onto the whole image. */
const screen = new WeakPerspectiveCamera({ scale: 1, translation: [0, 0] });

/** A triangle mesh from screen-space-like points (x, y in [-1,1], z depth) with dummy UVs. */
function triangles(points: number[][][]): Mesh {
  const vertices = Float32Array.from(points.flat(2));
  const n = points.length;
  return {
    vertices,
    faces: Int32Array.from({ length: 3 * n }, (_, i) => i),
    uvs: Float32Array.of(0, 0, 1, 0, 0, 1),
    uvFaces: Int32Array.from({ length: 3 * n }, (_, i) => i % 3),
  };
}

function coverage(faceIds: Int32Array): number {
  return faceIds.reduce((n, f) => n + (f >= 0 ? 1 : 0), 0);
}

describe('core/renderer/rasterizer', () => {
  it('a quad filling the image covers every pixel, with UVs at the pixel centres', () => {
    const mesh = quadMesh([[-1, -1, 0], [-1, 1, 0], [1, 1, 0], [1, -1, 0]]);
    const [h, w] = [12, 20];
    const frag = rasterize(mesh, screen, h, w);
    expect(coverage(frag.faceIds)).to.equal(h * w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        expect(frag.uv[2 * p]).to.be.closeTo((x + 0.5) / w, 1e-5);
        expect(frag.uv[2 * p + 1]).to.be.closeTo(1 - (y + 0.5) / h, 1e-5);
        const b = frag.barycentrics.subarray(3 * p, 3 * p + 3);
        expect(b[0] + b[1] + b[2]).to.be.closeTo(1, 1e-6);
      }
    }
  });

  it('a back-facing quad (reversed winding) gets the same UVs and, with back-face culling, disappears', () => {
    const front = quadMesh([[-1, -1, 0], [-1, 1, 0], [1, 1, 0], [1, -1, 0]]);
    const reversed = { ...front, faces: Int32Array.of(0, 2, 1, 0, 3, 2), uvFaces: Int32Array.of(0, 2, 1, 0, 3, 2) };
    const a = rasterize(front, screen, 10, 14);
    const b = rasterize(reversed, screen, 10, 14);
    assertClose(b.uv, a.uv, { atol: 1e-6 });
    expect(coverage(rasterize(front, screen, 10, 14, { cull: 'back' }).faceIds)).to.equal(140);
    expect(coverage(rasterize(reversed, screen, 10, 14, { cull: 'back' }).faceIds)).to.equal(0);
  });

  it('shared edges through pixel centres: a fan of triangles covers each pixel exactly once', () => {
    // 8 triangles around the image centre; edges pass exactly through pixel centres (diagonals of a
    // square image), so a rasterizer without a tie rule double-counts or drops them.
    const c = [0, 0, 0];
    const ring = [[-1, -1], [0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0]];
    const n = 16;
    const counts = new Int32Array(n * n);
    for (let i = 0; i < ring.length; i++) {
      const a = [...ring[i], 0];
      const b = [...ring[(i + 1) % ring.length], 0];
      const frag = rasterize(triangles([[c, a, b]]), screen, n, n);
      frag.faceIds.forEach((f, p) => {
        if (f >= 0) counts[p]++;
      });
    }
    expect(Array.from(counts).every((k) => k === 1), `coverage counts ${Array.from(counts).join('')}`).to.equal(true);
  });

  it('occlusion: the nearer triangle wins whatever the draw order', () => {
    const near = [[-1, -1, 1], [-1, 1, 1], [1, 1, 1]];
    const far = [[-1, -1, 5], [-1, 1, 5], [1, -1, 5]];
    for (const order of [[near, far], [far, near]]) {
      const frag = rasterize(triangles(order), screen, 16, 16);
      const nearId = order.indexOf(near);
      // Pixel (x=2, y=12) is below the diagonal: inside both triangles? near covers x < y, far covers x+y < 16.
      const both = 12 * 16 + 2;
      expect(frag.faceIds[both]).to.equal(nearId);
      expect(frag.depth[both]).to.be.closeTo(1, 1e-6);
      const farOnly = 2 * 16 + 5; // x=5, y=2: above the near triangle's diagonal, inside the far one
      expect(frag.faceIds[farOnly]).to.equal(1 - nearId);
      expect(frag.depth[farOnly]).to.be.closeTo(5, 1e-6);
    }
  });

  it('a cube seen face-on shows only its +z side; from a corner three sides; culling back faces changes nothing', () => {
    const cube = cubeMesh(1);
    const front = new PerspectiveCamera({ focalLength: 40, rotation: [1, 0, 0, 0, -1, 0, 0, 0, -1], translation: [0, 0, 6] });
    const f1 = rasterize(cube, front, 32, 32);
    const seen = new Set(Array.from(f1.faceIds).filter((f) => f >= 0).map((f) => Math.floor(f / 2)));
    expect([...seen]).to.deep.equal([4]); // side order +x,-x,+y,-y,+z,-z: +z faces the camera
    // From the (+1,+1,+1) direction: rotate so that the camera looks at the origin along -(1,1,1).
    const d = [1, 1, 1].map((x) => x / Math.sqrt(3));
    const zc = d.map((x) => -x); // camera z axis (forward) in world coordinates
    const up = [0, 1, 0];
    const xc = [up[1] * zc[2] - up[2] * zc[1], up[2] * zc[0] - up[0] * zc[2], up[0] * zc[1] - up[1] * zc[0]];
    const xn = Math.hypot(...xc);
    const xs = xc.map((x) => -x / xn);
    const ys = [zc[1] * xs[2] - zc[2] * xs[1], zc[2] * xs[0] - zc[0] * xs[2], zc[0] * xs[1] - zc[1] * xs[0]];
    const corner = new PerspectiveCamera({ focalLength: 40, rotation: [...xs, ...ys, ...zc], translation: [0, 0, 8] });
    const f2 = rasterize(cube, corner, 48, 48);
    const sides = new Set(Array.from(f2.faceIds).filter((f) => f >= 0).map((f) => Math.floor(f / 2)));
    expect([...sides].sort()).to.deep.equal([0, 2, 4]);
    const culled = rasterize(cube, corner, 48, 48, { cull: 'back' });
    expect(Array.from(culled.faceIds)).to.deep.equal(Array.from(f2.faceIds));
    const inside = rasterize(cube, corner, 48, 48, { cull: 'front' });
    const back = new Set(Array.from(inside.faceIds).filter((f) => f >= 0).map((f) => Math.floor(f / 2)));
    expect([...back].sort()).to.deep.equal([1, 3, 5]);
  });

  it('faces partly off-screen are clipped; faces wholly off-screen and degenerate faces draw nothing', () => {
    // Right half of this triangle lies outside the image (x > 1).
    const partial = triangles([[[0, -1, 0], [0, 1, 0], [3, 1, 0]]]);
    const f = rasterize(partial, screen, 32, 32);
    // Inside the image the triangle covers x in [0,1] with y > -1 + 2x/3: count analytically.
    let expected = 0;
    for (let y = 0; y < 32; y++) {
      for (let x = 16; x < 32; x++) {
        const nx = ((x + 0.5) / 32) * 2 - 1;
        const ny = ((y + 0.5) / 32) * 2 - 1;
        if (ny > -1 + (2 * nx) / 3) expected++;
      }
    }
    expect(coverage(f.faceIds)).to.equal(expected);
    const outside = triangles([[[2, 2, 0], [2, 3, 0], [3, 3, 0]]]);
    expect(coverage(rasterize(outside, screen, 16, 16).faceIds)).to.equal(0);
    const degenerate = triangles([[[-1, -1, 0], [0, 0, 0], [1, 1, 0]], [[0, 0, 0], [0, 0, 0], [0.5, 0.2, 0]]]);
    expect(coverage(rasterize(degenerate, screen, 16, 16).faceIds)).to.equal(0);
  });

  it('perspective: barycentrics are perspective-correct (they interpolate the 3D point seen at each pixel)', () => {
    // A quad strongly tilted in depth; the point interpolated with the barycentrics must project back
    // onto the pixel centre (screen-linear barycentrics would miss by pixels).
    const mesh = quadMesh([[-1, -1, 0], [-1, 1, 3], [1, 1, 3], [1, -1, 0]]);
    const cam = new PerspectiveCamera({ focalLength: 30, translation: [0, 0, 2.5] });
    const [h, w] = [40, 40];
    const frag = rasterize(mesh, cam, h, w);
    let checked = 0;
    for (let p = 0; p < h * w; p++) {
      const face = frag.faceIds[p];
      if (face < 0) continue;
      const point = [0, 1, 2].map((axis) =>
        [0, 1, 2].reduce((s, k) => s + frag.barycentrics[3 * p + k] * mesh.vertices[3 * mesh.faces[3 * face + k] + axis], 0),
      );
      const proj = cam.project(Float32Array.from(point), h, w);
      // Vertices snap to 1/256 pixel, so the answer is exact up to a few thousandths of a pixel.
      expect(proj[0]).to.be.closeTo((p % w) + 0.5, 1e-2);
      expect(proj[1]).to.be.closeTo(Math.floor(p / w) + 0.5, 1e-2);
      expect(frag.depth[p]).to.be.closeTo(proj[2], 1e-4);
      checked++;
    }
    expect(checked).to.be.greaterThan(200);
  });

  it('perspective: faces touching a point behind the camera are skipped', () => {
    const mesh = triangles([[[-1, -1, 1], [1, -1, 1], [0, 1, -5]]]);
    const cam = new PerspectiveCamera({ focalLength: 10, translation: [0, 0, 2] });
    expect(coverage(rasterize(mesh, cam, 16, 16).faceIds)).to.equal(0);
  });

  it('a sphere of 2,000 faces renders as a disc of the expected area', () => {
    const sphere = uvSphereMesh(32, 64, 1);
    const cam = new PerspectiveCamera({ focalLength: 100, translation: [0, 0, 10] });
    const frag = rasterize(sphere, cam, 64, 64);
    // Silhouette radius of a unit sphere at distance 10: f * tan(asin(1/10)).
    const r = 100 * Math.tan(Math.asin(0.1));
    expect(coverage(frag.faceIds)).to.be.closeTo(Math.PI * r * r, 0.04 * Math.PI * r * r);
  });

  it('rejects bad meshes with errors naming the face, vertex or UV', () => {
    const good = quadMesh([[-1, -1, 0], [-1, 1, 0], [1, 1, 0], [1, -1, 0]]);
    const bad = (patch: Partial<Mesh>): Mesh => ({ ...good, ...patch });
    expect(() => rasterize(bad({ faces: Int32Array.of(0, 1, 2, 0, 2, 7) }), screen, 8, 8)).to.throw(
      MeshError,
      /face 1 corner 2 uses vertex 7, but there are 4 vertices/,
    );
    const nanVerts = good.vertices.slice();
    nanVerts[7] = NaN;
    expect(() => rasterize(bad({ vertices: nanVerts }), screen, 8, 8)).to.throw(MeshError, /vertex 2 has a non-finite coordinate y/);
    const badUv = good.uvs.slice();
    badUv[3] = 1.5;
    expect(() => rasterize(bad({ uvs: badUv }), screen, 8, 8)).to.throw(MeshError, /UV 1 has v = 1.5, outside \[0,1\]/);
    expect(() => rasterize(bad({ uvFaces: Int32Array.of(0, 1, 2, 0, 2, -1) }), screen, 8, 8)).to.throw(
      MeshError,
      /face 1 corner 2 uses UV -1/,
    );
    expect(() => rasterize(bad({ uvFaces: Int32Array.of(0, 1, 2) }), screen, 8, 8)).to.throw(MeshError, /uvFaces has 1 triangles/);
    expect(() => rasterize(good, screen, 0, 8)).to.throw(/image size/);
  });
});
