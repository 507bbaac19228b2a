import type { tf } from '../../../core/backend/tf';

/**
 * The arrays of an SMPL-family body model, flat and row-major, in SMPL's layout and naming.
 * V vertices, F faces, T UV coordinates, J joints, S shape directions, P = 9 (J - 1) pose-blend features.
 */
export interface BodyModelData {
  /** Template (rest) vertices, float32 [V*3], metres; SMPL's `v_template`. */
  readonly vTemplate: Float32Array;
  /** Triangles, int32 [F*3], counter-clockwise seen from outside; SMPL's `f`. */
  readonly faces: Int32Array;
  /** UV coordinates, float32 [T*2] in [0,1], v upwards (OBJ convention). */
  readonly uvs: Float32Array;
  /** Triangles as UV indices, int32 [F*3] (a vertex has several UVs along seams). */
  readonly uvFaces: Int32Array;
  /** Joint regressor, float32 [J*V], row j gives joint j as a combination of vertices; SMPL's `J_regressor`. */
  readonly jointRegressor: Float32Array;
  /** Linear-blend-skinning weights, float32 [V*J], rows sum to 1; SMPL's `weights`. */
  readonly weights: Float32Array;
  /** Shape blend shapes, float32 [V*3*S] (layout [V,3,S]); SMPL's `shapedirs`. */
  readonly shapeDirs: Float32Array;
  /** Number of shape directions S (SMPL: 10 or 300). */
  readonly shapeCount: number;
  /**
   * Pose blend shapes, float32 [V*3*P] (layout [V,3,P]), P = 9 (J - 1), driven by the flattened
   * (R_j - I) of the non-root joints; SMPL's `posedirs`. `null` when the model has none (all zero).
   */
  readonly poseDirs: Float32Array | null;
  /** Parent of each joint, int32 [J], -1 for the root; SMPL's `kintree_table[0]`. */
  readonly parents: Int32Array;
  /** Joint names, [J]. */
  readonly jointNames: readonly string[];
  /**
   * Named UV regions (e.g. `face`, `leftHand`, `rightHand`) as per-face flags, uint8 [F], 1 where the face
   * belongs to the region. The face/hand loss rasterizes them into texture masks.
   */
  readonly regions: Readonly<Record<string, Uint8Array>>;
  /** Where the data came from (a file path or `builtin`), for messages. */
  readonly source: string;
}

/** Batched input of the forward pass. */
export interface BodyParams {
  /** Shape coefficients, float32 [B,S'] with S' <= S (missing trailing coefficients count as zero). */
  readonly betas: tf.Tensor2D;
  /** Axis-angle rotations, float32 [B,3J] (SMPL: [B,72]), radians, root first, each relative to its parent. */
  readonly pose: tf.Tensor2D;
  /** Global translation, float32 [B,3], metres. Omit for zero. */
  readonly translation?: tf.Tensor2D;
}

/** Output of the forward pass (the caller owns and disposes the tensors). */
export interface BodyOutput {
  /** Posed vertices, float32 [B,V,3]. */
  readonly vertices: tf.Tensor3D;
  /** Posed joint positions, float32 [B,J,3]. */
  readonly joints: tf.Tensor3D;
}
