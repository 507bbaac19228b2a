import type { tf } from '../backend/tf';

/**
 * A triangle mesh with its own UV indexing (a vertex may carry several UVs at seams), as plain typed
 * arrays: meshes are geometry, not trainable tensors.
 */
export interface Mesh {
  /** Vertex positions, float32 [V*3] (x, y, z) in model space. */
  readonly vertices: Float32Array;
  /** Triangles as vertex indices, int32 [F*3], counter-clockwise seen from outside. */
  readonly faces: Int32Array;
  /** UV coordinates, float32 [T*2] in [0,1]; u to the right, v upwards (OBJ convention). */
  readonly uvs: Float32Array;
  /** Triangles as UV indices, int32 [F*3]; face f uses uvs uvFaces[3f..3f+2] for its corners. */
  readonly uvFaces: Int32Array;
}

/** A camera that maps model-space points to pixel coordinates of an image of `height` x `width`. */
export interface Camera {
  readonly kind: string;
  /**
   * True when `project` divides by depth (a pinhole camera): the depth it returns is then view-space
   * z > 0, and the rasterizer interpolates attributes perspective-correctly (weights / z). Absent or
   * false for affine projections (weak perspective), whose attributes interpolate linearly on screen.
   */
  readonly perspectiveCorrect?: boolean;
  /**
   * Model-to-view rotation, 9 row-major numbers (view axes: x right, y down, z away from the viewer),
   * when the camera has one: what turns an exported model to face the way the photo saw it.
   */
  readonly rotation?: ArrayLike<number>;
  /**
   * Projects vertices float32 [V*3] to float32 [V*3]: pixel x (right), pixel y (down), and a depth
   * whose smaller values are nearer the viewer. Pixel centres are at integer + 0.5.
   */
  project(vertices: Float32Array, height: number, width: number): Float32Array;
}

/** A mesh aligned with an image: what a MeshPredictor produces for one photo. */
export interface AlignedMesh {
  readonly mesh: Mesh;
  readonly camera: Camera;
  /** Optional foreground mask float32 [H*W] in [0,1] estimated from the photo. */
  readonly mask?: Float32Array;
  /** What the predictor fitted, as plain JSON (pose, shape, camera parameters, fit scores), for run records. */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/** An image batch: float32 [B,H,W,3] in [-1,1] (the method's input range). */
export type ImageBatch = tf.Tensor4D;
