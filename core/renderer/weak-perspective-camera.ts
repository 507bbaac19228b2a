import type { Camera } from '../interfaces/mesh';
import { quaternionToMatrix, type Mat3 } from './rotation';

/** CMR's camera: [scale, tx, ty] and a unit quaternion [w, x, y, z]. */
export interface WeakPerspectiveCameraSettings {
  readonly scale: number;
  /** Translation [tx, ty] in normalised image coordinates. */
  readonly translation: readonly [number, number];
  /** Rotation as a quaternion [w, x, y, z] (normalised here); default identity. */
  readonly quaternion?: readonly [number, number, number, number];
}

/**
 * CMR's weak-perspective projection: n = s * R(q) X[:2] + t gives normalised coordinates in [-1,1]
 * (x right, y down: -1 is the left/top image border, +1 the right/bottom one), mapped to pixels as
 * px = (n_x + 1) / 2 * W, py = (n_y + 1) / 2 * H. Depth is (R(q) X)_z, smaller nearer. An affine map,
 * so attributes interpolate linearly on screen.
 */
export class WeakPerspectiveCamera implements Camera {
  readonly kind = 'weak-perspective';
  readonly perspectiveCorrect = false;
  readonly scale: number;
  readonly translation: readonly [number, number];
  readonly rotation: Mat3;

  constructor(settings: WeakPerspectiveCameraSettings) {
    if (!(Number.isFinite(settings.scale) && settings.scale > 0)) {
      throw new Error(`weak-perspective scale must be a positive number, got ${settings.scale}`);
    }
    const t = settings.translation;
    if (!(t.length === 2 && t.every(Number.isFinite))) {
      throw new Error(`weak-perspective translation must be [tx, ty], got ${JSON.stringify(t)}`);
    }
    this.scale = settings.scale;
    this.translation = [t[0], t[1]];
    this.rotation = quaternionToMatrix(settings.quaternion ?? [1, 0, 0, 0]);
  }

  /**
   * @param vertices float32 [V*3] model-space points
   * @returns float32 [V*3]: pixel x, pixel y, depth (R X)_z
   */
  project(vertices: Float32Array, height: number, width: number): Float32Array {
    const r = this.rotation;
    const s = this.scale;
    const [tx, ty] = this.translation;
    const hw = width / 2;
    const hh = height / 2;
    const out = new Float32Array(vertices.length);
    for (let i = 0; i < vertices.length; i += 3) {
      const x = vertices[i];
      const y = vertices[i + 1];
      const z = vertices[i + 2];
      out[i] = (s * (r[0] * x + r[1] * y + r[2] * z) + tx + 1) * hw;
      out[i + 1] = (s * (r[3] * x + r[4] * y + r[5] * z) + ty + 1) * hh;
      out[i + 2] = r[6] * x + r[7] * y + r[8] * z;
    }
    return out;
  }
}
