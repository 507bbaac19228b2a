import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../backend/tf';
import { composite } from '../renderer/composite';
import { encodeGlb } from '../export/gltf-writer';
import { formatMtl, formatObj } from '../export/obj-writer';
import type { Camera, Mesh } from '../interfaces/mesh';
import { writeFileAtomic } from '../io/atomic-write';
import { encodePng, tensorToPixels, type PixelBuffer } from '../io/image-io';
import { cameraRecord } from '../prepare/prepare-processor';
import { renderViews } from '../renderer/views';
import type { PhotoRun } from './photo-runner';

/** The files a run folder holds (run.json last: its presence means the folder is complete). */
export const RUN_FILES = { texture: 'texture.png', model: 'model.glb', views: 'views.png', overlay: 'overlay.png', record: 'run.json' } as const;

/** Overlay panels are scaled up to at least this height. */
const OVERLAY_MIN_HEIGHT = 256;

/**
 * The mesh as the photo's camera sees it, turned to the viewing convention of glTF and `retex view`
 * (y up, facing +z toward the viewer) and centred: what a person expects to open.
 */
export function cameraAlignedMesh(mesh: Mesh, camera: Camera): Mesh {
  const r = camera.rotation ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const v = mesh.vertices;
  const out = new Float32Array(v.length);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < v.length; i += 3) {
    const [x, y, z] = [v[i], v[i + 1], v[i + 2]];
    // View axes are x right, y down, z away: y and z flip to y up, z toward the viewer.
    const p = [r[0] * x + r[1] * y + r[2] * z, -(r[3] * x + r[4] * y + r[5] * z), -(r[6] * x + r[7] * y + r[8] * z)];
    for (let c = 0; c < 3; c++) {
      out[i + c] = p[c];
      lo[c] = Math.min(lo[c], p[c]);
      hi[c] = Math.max(hi[c], p[c]);
    }
  }
  for (let i = 0; i < out.length; i++) out[i] -= (lo[i % 3] + hi[i % 3]) / 2;
  return { ...mesh, vertices: out };
}

/**
 * photo crop | fitted silhouette over the photo | rendering over the photo | texture, side by side,
 * scaled up (nearest) so a person can see the pixels.
 */
export async function overlayImage(run: PhotoRun): Promise<PixelBuffer> {
  const crop = run.located.crop;
  const h = crop.shape[0];
  const scale = Math.max(1, Math.ceil(OVERLAY_MIN_HEIGHT / h));
  const [, th, tw] = run.texture.shape;
  const panel = tf.tidy(() => {
    const photo = crop.expandDims(0) as tf.Tensor4D;
    const m = run.operator.maskTensor();
    const tint = tf.tensor1d([1, -0.2, -0.6]).reshape([1, 1, 1, 3]);
    const silhouette = tf.add(tf.mul(photo, tf.sub(1, tf.mul(m, 0.6))), tf.mul(tf.mul(m, 0.6), tint));
    const rendered = composite(run.operator.apply(run.texture), m, photo);
    const texW = Math.max(1, Math.round((tw * h) / th));
    const texture = tf.image.resizeNearestNeighbor(run.texture, [h, texW]);
    const gap = tf.fill([1, h, 2, 3], 1);
    const row = tf.concat([photo, gap, silhouette, gap, rendered, gap, texture], 2) as tf.Tensor4D;
    const big = tf.image.resizeNearestNeighbor(row, [h * scale, row.shape[2] * scale]);
    return big.squeeze([0]) as tf.Tensor3D;
  });
  try {
    return await tensorToPixels(panel, '[-1,1]');
  } finally {
    panel.dispose();
  }
}

/** The run record: what was found, fitted and made, with timings and figures. */
export function runRecord(run: PhotoRun, extra: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const w = run.located.window;
  return {
    photo: run.photo,
    photo_size: { height: run.photoSize[0], width: run.photoSize[1] },
    subject: { box: run.located.box.map((v) => Math.round(v * 10) / 10), score: run.located.score },
    crop: { x: w.x, y: w.y, width: w.width, height: w.height, size: run.located.crop.shape.slice(0, 2) },
    method: run.method,
    ...(run.optimize ? { optimize: run.optimize } : {}),
    ...extra,
    mesh: { vertices: run.aligned.mesh.vertices.length / 3, faces: run.aligned.mesh.faces.length / 3, parameters: run.aligned.parameters ?? null },
    camera: cameraRecord(run.aligned.camera),
    metrics: Object.fromEntries(Object.entries(run.metrics).filter(([k]) => k !== 'id')),
    timings_ms: run.timings,
    files: Object.values(RUN_FILES),
  };
}

/** Checks that `out` can be a run folder: not an existing file. */
export function checkOutFolder(out: string): void {
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
    throw new Error(`--out ${out} is a file: give a folder for the run's files (texture.png, model.glb, views.png, overlay.png, run.json)`);
  }
}

/**
 * Writes a run folder: everything is encoded first, then each file is written atomically, run.json
 * last, so a failure leaves no half-written file and a folder without run.json is an unfinished run.
 * @param obj also write model.obj + model.mtl + model.png
 */
export async function writeRunFolder(out: string, run: PhotoRun, extra: Readonly<Record<string, unknown>>, obj = false): Promise<string[]> {
  checkOutFolder(out);
  const texture = await tensorToPixels(run.texture, '[-1,1]');
  const mesh = cameraAlignedMesh(run.aligned.mesh, run.aligned.camera);
  const files = new Map<string, Uint8Array | string>();
  files.set(RUN_FILES.texture, await encodePng(texture.pixels, texture.height, texture.width, 3));
  files.set(RUN_FILES.model, await encodeGlb(mesh, texture, { name: path.basename(out) || 'retex' }));
  const views = renderViews(mesh, texture, { views: 8, viewSize: [256, 192] });
  files.set(RUN_FILES.views, await encodePng(views.pixels, views.height, views.width, 3));
  const overlay = await overlayImage(run);
  files.set(RUN_FILES.overlay, await encodePng(overlay.pixels, overlay.height, overlay.width, 3));
  if (obj) {
    files.set('model.obj', formatObj(mesh, { mtllib: 'model.mtl', material: 'texture', name: 'model' }));
    files.set('model.mtl', formatMtl('texture', 'model.png'));
    files.set('model.png', files.get(RUN_FILES.texture) as Uint8Array);
  }
  const record = runRecord(run, extra);
  files.set(RUN_FILES.record, `${JSON.stringify({ ...record, files: [...files.keys()] }, null, 1)}\n`);
  await fs.promises.mkdir(out, { recursive: true });
  for (const [name, data] of files) await writeFileAtomic(path.join(out, name), data);
  return [...files.keys()].map((f) => path.join(out, f));
}
