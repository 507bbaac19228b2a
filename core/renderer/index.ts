export { bodyLikeMesh, SMPL_FACE_COUNT, SMPL_VERTEX_COUNT } from './body-like-mesh';
export { composite } from './composite';
export { GatherSumPlan, transposeCsr, type CsrMatrix } from './gather-sum-plan';
export { MeshError, validateMesh, UV_TOLERANCE } from './mesh-validation';
export {
  checkOperatorShape,
  decodeRenderOperators,
  encodeRenderOperator,
  OPERATOR_FORMAT_VERSION,
  readRenderOperators,
  writeRenderOperators,
  type OperatorShape,
} from './operator-file';
export { PerspectiveCamera, type PerspectiveCameraSettings } from './perspective-camera';
export { cubeMesh, latLongMesh, quadMesh, signedVolume, uvSphereMesh } from './primitives';
export { rasterize, type CullMode, type RasterSettings } from './rasterizer';
export { SparseRenderOperator } from './render-operator';
export { axisAngleToMatrix, checkRotation, identityMatrix, multiplyMatrices, quaternionToMatrix, type Mat3 } from './rotation';
export { SparseRenderer } from './sparse-renderer';
export { checkTextureSize, computeTexelTaps, sampleWithTaps, type TexelTaps } from './texel-taps';
export { faceCrossProducts, faceNormals, vertexNormals } from './normals';
export { renderViews, viewAngles, writeViews, type ViewSet, type ViewSettings } from './views';
export { WeakPerspectiveCamera, type WeakPerspectiveCameraSettings } from './weak-perspective-camera';
