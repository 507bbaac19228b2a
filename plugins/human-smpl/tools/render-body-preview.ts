import { tf } from '../../../core/backend/tf';
import { writePng, type PixelBuffer } from '../../../core/io/image-io';
import { renderViews } from '../../../core/renderer/views';
import { BodyModel } from '../body/body-model';
import type { BodyModelData } from '../body/body-model-types';
import { uvRegionMask, uvTriangleMask } from '../body/uv-region-mask';
import { builtinBodyData } from '../builtin-body/builtin-body';
import { walkingPose } from '../poses/pose-set';

/**
 * A diagnostic texture of a body: a checker over every chart, the face region red, the hands green,
 * unused texture space black. RGB 8-bit [size*size*3].
 */
export function regionCheckerTexture(data: BodyModelData, size = 256): PixelBuffer {
  const all = uvTriangleMask(data.uvs, data.uvFaces, [size, size]);
  const face = uvRegionMask(data, 'face', [size, size]);
  const hands = uvRegionMask(data, ['leftHand', 'rightHand'], [size, size]);
  const pixels = new Uint8Array(size * size * 3);
  const cell = Math.max(1, Math.round(size / 32));
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      if (!all[i]) continue;
      const light = (Math.floor(r / cell) + Math.floor(c / cell)) % 2 ? 1 : 0.75;
      const rgb = face[i] ? [235, 120, 90] : hands[i] ? [90, 210, 90] : [170, 180, 225];
      pixels.set(rgb.map((x) => Math.round(x * light)), 3 * i);
    }
  }
  return { pixels, height: size, width: size, channels: 3 };
}

/**
 * Renders the built-in body with the diagnostic texture: front, side and back at rest (T-pose), then the
 * same three views at mid-stride of a walk, into one PNG grid.
 */
export async function renderBuiltinBodyPreview(file: string, viewSize: readonly [number, number] = [256, 128]): Promise<void> {
  const data = builtinBodyData();
  const model = BodyModel.create(data);
  try {
    const texture = regionCheckerTexture(data);
    const poses = [new Float32Array(72), walkingPose(0.125)];
    const tiles: PixelBuffer[] = [];
    for (const pose of poses) {
      const out = model.forward({ betas: tf.zeros([1, data.shapeCount]), pose: tf.tensor2d(pose, [1, 72]) });
      const vertices = out.vertices.dataSync() as Float32Array;
      tf.dispose([out.vertices, out.joints]);
      tiles.push(renderViews(model.meshFromVertices(vertices), texture, { viewSize, views: 'front-side-back' }));
    }
    const [a, b] = tiles;
    const pixels = new Uint8Array(a.pixels.length + b.pixels.length);
    pixels.set(a.pixels);
    pixels.set(b.pixels, a.pixels.length);
    await writePng(file, pixels, a.height + b.height, a.width, 3);
  } finally {
    model.dispose();
  }
}

if (require.main === module) {
  const out = process.argv[2] ?? 'builtin-body.png';
  renderBuiltinBodyPreview(out).then(
    () => console.log(`wrote ${out}`),
    (err: Error) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
