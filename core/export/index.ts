export { buildGltfDocument, encodeGlb, writeGlb, type GltfOptions } from './gltf-writer';
export { ObjParser, parseObj, readObjFile } from './obj-reader';
export { formatMtl, formatObj, objFilesFor, plannedObjOutputs, writeTexturedObj, type ObjFiles } from './obj-writer';
export { splitAtSeams, type SingleIndexMesh } from './seams';
