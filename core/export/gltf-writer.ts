import { Document, NodeIO } from '@gltf-transform/core';
import type { Mesh } from '../interfaces/mesh';
import { writeFileAtomic } from '../io/atomic-write';
import { encodePng, type PixelBuffer } from '../io/image-io';
import { MeshError, validateMesh } from '../renderer/mesh-validation';
import { vertexNormals } from '../renderer/normals';
import { splitAtSeams } from './seams';

/** Options for {@link buildGltfDocument}. */
export interface GltfOptions {
  /** Name of the mesh, node and material; default "retex". */
  readonly name?: string;
  /** Render both sides in viewers (default true: predicted meshes may have flipped faces). */
  readonly doubleSided?: boolean;
}

/**
 * A glTF 2.0 document holding one textured triangle mesh: vertices split at UV seams (glTF has one
 * index per vertex), smooth normals shared across seams, TEXCOORD_0 with V flipped (glTF's v runs
 * downwards from the top of the image, OBJ's upwards), and the texture embedded as PNG in a matte
 * (metallic 0, roughness 1) material.
 * @param texture 8-bit RGB(A) texture image, row 0 at Mesh v = 1
 */
export async function buildGltfDocument(mesh: Mesh, texture: PixelBuffer, options: GltfOptions = {}): Promise<Document> {
  validateMesh(mesh);
  const name = options.name ?? 'retex';
  const split = splitAtSeams(mesh);
  const smooth = vertexNormals(mesh);
  const count = split.sourceVertex.length;
  const normals = new Float32Array(count * 3);
  const uvs = new Float32Array(count * 2);
  for (let n = 0; n < count; n++) {
    normals.set(smooth.subarray(3 * split.sourceVertex[n], 3 * split.sourceVertex[n] + 3), 3 * n);
    uvs[2 * n] = split.uvs[2 * n];
    uvs[2 * n + 1] = 1 - split.uvs[2 * n + 1];
  }
  const png = await encodePng(texture.pixels, texture.height, texture.width, texture.channels);

  const doc = new Document();
  doc.getRoot().getAsset().generator = 'retex';
  const buffer = doc.createBuffer();
  const accessor = (type: 'VEC3' | 'VEC2' | 'SCALAR', array: Float32Array | Uint16Array | Uint32Array) =>
    doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const indices = count <= 0xffff ? Uint16Array.from(split.indices) : split.indices;
  const image = doc.createTexture(`${name}-texture`).setImage(new Uint8Array(png)).setMimeType('image/png');
  const material = doc
    .createMaterial(name)
    .setBaseColorTexture(image)
    .setMetallicFactor(0)
    .setRoughnessFactor(1)
    .setDoubleSided(options.doubleSided ?? true);
  const primitive = doc
    .createPrimitive()
    .setAttribute('POSITION', accessor('VEC3', split.positions))
    .setAttribute('NORMAL', accessor('VEC3', normals))
    .setAttribute('TEXCOORD_0', accessor('VEC2', uvs))
    .setIndices(accessor('SCALAR', indices))
    .setMaterial(material);
  const node = doc.createNode(name).setMesh(doc.createMesh(name).addPrimitive(primitive));
  doc.createScene(name).addChild(node);
  return doc;
}

/** The mesh as one binary glTF (.glb) file's bytes; see {@link buildGltfDocument}. */
export async function encodeGlb(mesh: Mesh, texture: PixelBuffer, options: GltfOptions = {}): Promise<Uint8Array> {
  if (mesh.faces.length === 0) throw new MeshError(`${options.name ?? 'mesh'} has no faces: an empty .glb is not written`);
  const doc = await buildGltfDocument(mesh, texture, options);
  return new NodeIO().writeBinary(doc);
}

/** Writes the mesh and its embedded texture as one .glb file (atomically). */
export async function writeGlb(file: string, mesh: Mesh, texture: PixelBuffer, options: GltfOptions = {}): Promise<void> {
  await writeFileAtomic(file, await encodeGlb(mesh, texture, options));
}
