import type { Camera } from '../interfaces/mesh';
import { axisAngleToMatrix, checkRotation, type Mat3 } from './rotation';

/** Settings of a pinhole camera in the OpenCV convention: x right, y down, looking along +z. */
export interface PerspectiveCameraSettings {
  /** Focal length in pixels: one number, or [fx, fy]. SMPLify-style fitting uses 5000 for 224 px crops. */
  readonly focalLength: number | readonly [number, number];
  /** Principal point [cx, cy] in pixels (pixel centres at integer + 0.5); default: the image centre. */
  readonly principalPoint?: readonly [number, number];
  /** World-to-camera rotation: 9 row-major numbers (a matrix) or 3 (axis-angle); default identity. */
  readonly rotation?: ArrayLike<number>;
  /** World-to-camera translation [tx, ty, tz]: camera point = R X + t. Default [0, 0, 0]. */
  readonly translation?: readonly [number, number, number];
}

/**
 * Pinhole projection: Xc = R X + t; pixel x = fx Xc/Zc + cx, pixel y = fy Yc/Zc + cy; depth = Zc.
 * Points with Zc <= 0 are behind the camera: their projection is meaningless and the rasterizer skips
 * every face that touches one (no near-plane clipping).
 */
export class PerspectiveCamera implements Camera {
  readonly kind = 'perspective';
  readonly perspectiveCorrect = true;
  readonly fx: number;
  readonly fy: number;
  readonly principalPoint: readonly [number, number] | undefined;
  /** Row-major world-to-camera rotation. */
  readonly rotation: Mat3;
  readonly translation: readonly [number, number, number];

  constructor(settings: PerspectiveCameraSettings) {
    const f = settings.focalLength;
    [this.fx, this.fy] = typeof f === 'number' ? [f, f] : [f[0], f[1]];
    if (!(this.fx > 0 && this.fy > 0 && Number.isFinite(this.fx) && Number.isFinite(this.fy))) {
      throw new Error(`focal length must be positive pixels, got ${JSON.stringify(f)}`);
    }
    const pp = settings.principalPoint;
    if (pp !== undefined && !(pp.length === 2 && pp.every(Number.isFinite))) {
      throw new Error(`principal point must be [cx, cy] in pixels, got ${JSON.stringify(pp)}`);
    }
    this.principalPoint = pp;
    const rot = settings.rotation;
    if (rot === undefined) this.rotation = checkRotation([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    else if (rot.length === 3) this.rotation = axisAngleToMatrix(rot);
    else this.rotation = checkRotation(rot, 'camera rotation');
    const t = settings.translation ?? [0, 0, 0];
    if (!(t.length === 3 && t.every(Number.isFinite))) {
      throw new Error(`translation must be [tx, ty, tz], got ${JSON.stringify(t)}`);
    }
    this.translation = [t[0], t[1], t[2]];
  }

  /**
   * @param vertices float32 [V*3] model-space points
   * @returns float32 [V*3]: pixel x, pixel y, view-space depth Zc (nearer is smaller)
   */
  project(vertices: Float32Array, height: number, width: number): Float32Array {
    const r = this.rotation;
    const [tx, ty, tz] = this.translation;
    const [cx, cy] = this.principalPoint ?? [width / 2, height / 2];
    const { fx, fy } = this;
    const out = new Float32Array(vertices.length);
    for (let i = 0; i < vertices.length; i += 3) {
      const x = vertices[i];
      const y = vertices[i + 1];
      const z = vertices[i + 2];
      const xc = r[0] * x + r[1] * y + r[2] * z + tx;
      const yc = r[3] * x + r[4] * y + r[5] * z + ty;
      const zc = r[6] * x + r[7] * y + r[8] * z + tz;
      out[i] = (fx * xc) / zc + cx;
      out[i + 1] = (fy * yc) / zc + cy;
      out[i + 2] = zc;
    }
    return out;
  }
}
