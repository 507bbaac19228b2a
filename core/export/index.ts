export { buildGltfDocument, encodeGlb, writeGlb, type GltfOptions } from './gltf-writer';
export { parseObj } from './obj-reader';
export { formatMtl, formatObj, writeTexturedObj, type ObjFiles } from './obj-writer';
export { splitAtSeams, type SingleIndexMesh } from './seams';
