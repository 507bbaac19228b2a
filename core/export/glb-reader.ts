import { NodeIO } from '@gltf-transform/core';
import type { Mesh } from '../interfaces/mesh';
import { decodePixels } from '../io/image-decode';
import type { PixelBuffer } from '../io/image-io';
import { MeshError, validateMesh } from '../renderer/mesh-validation';

/**
 * Reads a textured .glb such as retex writes (one primitive with POSITION, TEXCOORD_0, indices and a base
 * colour texture; several primitives are merged): the mesh in OBJ's UV convention (v up) and its texture.
 * @param name the file's name for messages
 * @throws naming what the file lacks
 */
export async function parseGlb(bytes: Uint8Array, name: string): Promise<{ mesh: Mesh; texture: PixelBuffer }> {
  let doc;
  try {
    doc = await new NodeIO().readBinary(bytes);
  } catch (err) {
    // The parser's message can quote the file's JSON chunk: name the file, never its content.
    throw new MeshError(`${name} is not a readable .glb file (binary glTF): it is damaged or of another format; re-export it`);
  }
  const positions: number[] = [];
  const uvs: number[] = [];
  const faces: number[] = [];
  let image: Uint8Array | null = null;
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      const pos = prim.getAttribute('POSITION')?.getArray();
      const uv = prim.getAttribute('TEXCOORD_0')?.getArray();
      if (pos == null || uv == null) throw new MeshError(`${name}: a primitive has no POSITION or TEXCOORD_0: retex needs a textured mesh`);
      const base = positions.length / 3;
      if (pos.length % 3 !== 0 || uv.length !== (pos.length / 3) * 2) {
        throw new MeshError(`${name}: a primitive's POSITION and TEXCOORD_0 counts do not match: retex needs one UV per vertex`);
      }
      for (let i = 0; i < pos.length; i++) positions.push(pos[i]);
      for (let i = 0; i < uv.length; i += 2) uvs.push(uv[i], 1 - uv[i + 1]);
      const idx = prim.getIndices()?.getArray() ?? Uint32Array.from({ length: pos.length / 3 }, (_, i) => i);
      for (let i = 0; i < idx.length; i++) faces.push(base + idx[i]);
      image ??= prim.getMaterial()?.getBaseColorTexture()?.getImage() ?? null;
    }
  }
  if (faces.length === 0) throw new MeshError(`${name} holds no triangles`);
  if (faces.length % 3 !== 0) throw new MeshError(`${name}: only triangle primitives are read`);
  if (image == null) throw new MeshError(`${name} has no base colour texture`);
  const texture = await decodePixels(image, { name: `${name}'s texture` });
  const f = Int32Array.from(faces);
  const mesh: Mesh = { vertices: Float32Array.from(positions), faces: f, uvs: Float32Array.from(uvs), uvFaces: f };
  validateMesh(mesh, name);
  return { mesh, texture };
}
