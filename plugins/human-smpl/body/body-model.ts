import { tf } from '../../../core/backend/tf';
import type { Mesh } from '../../../core/interfaces/mesh';
import type { BodyModelData, BodyOutput, BodyParams } from './body-model-types';
import { rodrigues } from './rodrigues';
import { validateBodyModelData } from './validate-body-data';

/**
 * An SMPL-family body model with a batched, differentiable forward pass (TF.js):
 * shape blend shapes, joint regression, pose blend shapes, kinematic chain and linear blend skinning.
 * Owns its constant tensors: call `dispose()` when done.
 */
export class BodyModel {
  readonly data: BodyModelData;
  readonly vertexCount: number;
  readonly jointCount: number;
  /** The rest mesh (template vertices with the model's faces and UVs). */
  readonly templateMesh: Mesh;
  /** Rest joints of the mean shape [J*3] and their shape directions [(J*3) x S] (row (j*3+c), column s). */
  readonly jointTemplate: Float32Array;
  readonly jointShapeDirs: Float32Array;

  private readonly vTemplate: tf.Tensor2D; // [1, V*3]
  private readonly shapeDirsT: tf.Tensor2D; // [S, V*3]
  private readonly jTemplate: tf.Tensor2D; // [1, J*3]
  private readonly jShapeDirsT: tf.Tensor2D; // [S, J*3]
  private readonly poseDirsT: tf.Tensor2D | null; // [9(J-1), V*3]
  private readonly weights: tf.Tensor2D; // [V, J]
  private disposed = false;

  private constructor(data: BodyModelData) {
    this.data = data;
    const nv = (this.vertexCount = data.vTemplate.length / 3);
    const nj = (this.jointCount = data.parents.length);
    const ns = data.shapeCount;
    this.templateMesh = { vertices: data.vTemplate, faces: data.faces, uvs: data.uvs, uvFaces: data.uvFaces };
    // The regressor is linear, so joints of a shaped body are J_reg v_template + (J_reg shapedirs) betas:
    // precomputing both keeps the per-call cost independent of V for the joints.
    const jTemplate = new Float32Array(nj * 3);
    const jShape = new Float32Array(nj * 3 * ns);
    for (let j = 0; j < nj; j++) {
      for (let v = 0; v < nv; v++) {
        const w = data.jointRegressor[j * nv + v];
        if (w === 0) continue;
        for (let c = 0; c < 3; c++) {
          jTemplate[j * 3 + c] += w * data.vTemplate[v * 3 + c];
          for (let s = 0; s < ns; s++) jShape[(j * 3 + c) * ns + s] += w * data.shapeDirs[(v * 3 + c) * ns + s];
        }
      }
    }
    this.jointTemplate = jTemplate;
    this.jointShapeDirs = jShape;
    this.vTemplate = tf.tensor2d(data.vTemplate, [1, nv * 3]);
    this.jTemplate = tf.tensor2d(jTemplate, [1, nj * 3]);
    this.shapeDirsT = tf.tidy(() => tf.tensor2d(data.shapeDirs, [nv * 3, ns]).transpose() as tf.Tensor2D);
    this.jShapeDirsT = tf.tidy(() => tf.tensor2d(jShape, [nj * 3, ns]).transpose() as tf.Tensor2D);
    const np = 9 * (nj - 1);
    this.poseDirsT = data.poseDirs
      ? tf.tidy(() => tf.tensor2d(data.poseDirs as Float32Array, [nv * 3, np]).transpose() as tf.Tensor2D)
      : null;
    this.weights = tf.tensor2d(data.weights, [nv, nj]);
  }

  /**
   * Validates the arrays and builds the model.
   * @throws BodyModelError naming the inconsistent key and the expected shape
   */
  static create(data: BodyModelData): BodyModel {
    validateBodyModelData(data);
    return new BodyModel(data);
  }

  /** Number of shape coefficients the model has. */
  get shapeCount(): number {
    return this.data.shapeCount;
  }

  /** Length of the pose vector: 3 per joint (SMPL: 72). */
  get poseSize(): number {
    return 3 * this.jointCount;
  }

  /**
   * Poses and shapes the body. Differentiable w.r.t. betas, pose and translation.
   * @returns vertices float32 [B,V,3] and joints float32 [B,J,3], metres, owned by the caller
   * @throws when the batch sizes disagree or the pose/betas have the wrong width
   */
  forward(params: BodyParams): BodyOutput {
    this.checkParams(params);
    const { betas, pose, translation } = params;
    const b = pose.shape[0];
    const nv = this.vertexCount;
    const nj = this.jointCount;
    return tf.tidy(() => {
      const { vShaped, restJoints, gR, gT } = this.chain(betas, pose, true);
      // Skinning transform of joint j maps rest-pose points: x -> G_R x + (G_t - G_R J_rest).
      const aT = gT.sub(tf.matMul(gR, restJoints.expandDims(3)).squeeze([3]));
      const a = tf.concat([gR.reshape([b, nj, 9]), aT], 2); // [B,J,12]
      const perVertex = tf
        .matMul(this.weights, a.transpose([1, 0, 2]).reshape([nj, b * 12]))
        .reshape([nv, b, 12])
        .transpose([1, 0, 2]); // [B,V,12]
      const vr = perVertex.slice([0, 0, 0], [b, nv, 9]).reshape([b, nv, 3, 3]);
      const vt = perVertex.slice([0, 0, 9], [b, nv, 3]);
      const v = (vShaped as tf.Tensor2D).reshape([b, nv, 1, 3]);
      let vertices = vr.mul(v).sum(3).add(vt) as tf.Tensor3D;
      let joints = gT;
      if (translation) {
        const t = translation.reshape([b, 1, 3]);
        vertices = vertices.add(t);
        joints = joints.add(t);
      }
      return { vertices, joints };
    });
  }

  /**
   * Posed joints and each joint's global rotation, without skinning the vertices (much cheaper: what
   * keypoint fitting needs). Differentiable; same checks as `forward`.
   * @returns joints float32 [B,J,3] (translation added), rotations float32 [B,J,3,3], restJoints [B,J,3]
   */
  forwardJoints(params: BodyParams): { joints: tf.Tensor3D; rotations: tf.Tensor4D; restJoints: tf.Tensor3D } {
    this.checkParams(params);
    const { betas, pose, translation } = params;
    return tf.tidy(() => {
      const { restJoints, gR, gT } = this.chain(betas, pose, false);
      const joints = translation ? (gT.add(translation.reshape([pose.shape[0], 1, 3])) as tf.Tensor3D) : gT;
      return { joints, rotations: gR, restJoints };
    });
  }

  private checkParams(params: BodyParams): void {
    if (this.disposed) throw new Error('BodyModel used after dispose()');
    const { betas, pose, translation } = params;
    const b = pose.shape[0];
    const nj = this.jointCount;
    const ns = this.shapeCount;
    if (pose.rank !== 2 || pose.shape[1] !== 3 * nj) {
      throw new Error(`pose must be [B,${3 * nj}] axis-angle (3 per joint), got [${pose.shape.join(',')}]`);
    }
    if (betas.rank !== 2 || betas.shape[0] !== b || betas.shape[1] > ns) {
      throw new Error(`betas must be [${b},S] with S <= ${ns} (the model's shape directions), got [${betas.shape.join(',')}]`);
    }
    if (translation && (translation.rank !== 2 || translation.shape[0] !== b || translation.shape[1] !== 3)) {
      throw new Error(`translation must be [${b},3], got [${translation.shape.join(',')}]`);
    }
  }

  /** Shape blend, joint regression, Rodrigues, pose blend (optional) and the kinematic chain. */
  private chain(
    betas: tf.Tensor2D,
    pose: tf.Tensor2D,
    withVertices: boolean,
  ): { vShaped: tf.Tensor2D | null; restJoints: tf.Tensor3D; gR: tf.Tensor4D; gT: tf.Tensor3D } {
    const b = pose.shape[0];
    const nj = this.jointCount;
    const ns = this.shapeCount;
    const betasFull = betas.shape[1] < ns ? betas.pad([[0, 0], [0, ns - betas.shape[1]]]) : betas;
    const hasShape = ns > 0;
    let vShaped: tf.Tensor2D | null = null;
    if (withVertices) {
      vShaped = (hasShape ? this.vTemplate.add(tf.matMul(betasFull, this.shapeDirsT)) : this.vTemplate.tile([b, 1])) as tf.Tensor2D;
    }
    const restJoints = (hasShape ? this.jTemplate.add(tf.matMul(betasFull, this.jShapeDirsT)) : this.jTemplate.tile([b, 1]))
      .reshape([b, nj, 3]) as tf.Tensor3D;
    const rot = rodrigues(pose.reshape([b * nj, 3]) as tf.Tensor2D).reshape([b, nj, 3, 3]) as tf.Tensor4D;
    if (withVertices && this.poseDirsT && vShaped) {
      const feat = rot
        .slice([0, 1, 0, 0], [b, nj - 1, 3, 3])
        .sub(tf.eye(3).reshape([1, 1, 3, 3]))
        .reshape([b, 9 * (nj - 1)]) as tf.Tensor2D;
      vShaped = vShaped.add(tf.matMul(feat, this.poseDirsT)) as tf.Tensor2D;
    }
    const rots = tf.unstack(rot, 1) as tf.Tensor3D[]; // J x [B,3,3]
    const rest = tf.unstack(restJoints, 1) as tf.Tensor2D[]; // J x [B,3]
    const globalR: tf.Tensor3D[] = [];
    const globalT: tf.Tensor2D[] = [];
    const parents = this.data.parents;
    for (let j = 0; j < nj; j++) {
      const p = parents[j];
      if (p < 0) {
        globalR.push(rots[j]);
        globalT.push(rest[j]);
      } else {
        const offset = rest[j].sub(rest[p]).expandDims(2) as tf.Tensor3D; // [B,3,1]
        globalR.push(tf.matMul(globalR[p], rots[j]));
        globalT.push(tf.matMul(globalR[p], offset).squeeze([2]).add(globalT[p]) as tf.Tensor2D);
      }
    }
    return { vShaped, restJoints, gR: tf.stack(globalR, 1) as tf.Tensor4D, gT: tf.stack(globalT, 1) as tf.Tensor3D };
  }

  /**
   * The mesh of one posed body: `vertices` (float32 [V*3], e.g. one batch item of `forward`) with the
   * model's faces and UVs.
   */
  meshFromVertices(vertices: Float32Array): Mesh {
    if (vertices.length !== this.vertexCount * 3) {
      throw new Error(`expected ${this.vertexCount * 3} vertex coordinates, got ${vertices.length}`);
    }
    return { vertices, faces: this.data.faces, uvs: this.data.uvs, uvFaces: this.data.uvFaces };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [this.vTemplate, this.shapeDirsT, this.jTemplate, this.jShapeDirsT, this.poseDirsT, this.weights]) {
      t?.dispose();
    }
  }
}
