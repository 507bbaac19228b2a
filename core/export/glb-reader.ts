import { NodeIO } from '@gltf-transform/core';
import type { Mesh } from '../interfaces/mesh';
import { decodePixels } from '../io/image-decode';
import type { PixelBuffer } from '../io/image-io';

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
    throw new Error(`${name} is not a readable .glb file (${(err as Error).message})`);
  }
  const positions: number[] = [];
  const uvs: number[] = [];
  const faces: number[] = [];
  let image: Uint8Array | null = null;
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      const pos = prim.getAttribute('POSITION')?.getArray();
      const uv = prim.getAttribute('TEXCOORD_0')?.getArray();
      if (pos == null || uv == null) throw new Error(`${name}: a primitive has no POSITION or TEXCOORD_0: retex needs a textured mesh`);
      const base = positions.length / 3;
      positions.push(...pos);
      for (let i = 0; i < uv.length; i += 2) uvs.push(uv[i], 1 - uv[i + 1]);
      const idx = prim.getIndices()?.getArray() ?? Uint32Array.from({ length: pos.length / 3 }, (_, i) => i);
      for (const i of idx) faces.push(base + i);
      image ??= prim.getMaterial()?.getBaseColorTexture()?.getImage() ?? null;
    }
  }
  if (faces.length === 0) throw new Error(`${name} holds no triangles`);
  if (image == null) throw new Error(`${name} has no base colour texture`);
  const texture = await decodePixels(image, { name: `${name}'s texture` });
  const f = Int32Array.from(faces);
  return { mesh: { vertices: Float32Array.from(positions), faces: f, uvs: Float32Array.from(uvs), uvFaces: f }, texture };
}
