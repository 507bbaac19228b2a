import { writePng } from '../../../core/io/image-io';
import { writeViews } from '../../../core/renderer/views';
import { WeakPerspectiveCamera } from '../../../core/renderer/weak-perspective-camera';
import { BIRD_VIEW_ROTATIONS, birdViewQuaternion, type BirdView } from '../camera/bird-views';
import { buildBirdMeanShape, keypointPositions } from '../shape/mean-shape';
import { shadedView, sideBySide } from '../shape/shape-preview';

/**
 * Writes the mean shape seen from the side, top and front as one PNG, keypoints in red, and next to
 * it (`<out>-uv.png`) a turntable of the shape wearing a UV checker texture (to see the seam and how
 * the texture stretches).
 * Usage: node dist/plugins/bird-cmr/tools/render-mean-shape.js out.png [size] [subdivisions]
 */
async function main(): Promise<void> {
  const [out = 'bird-mean-shape.png', sizeArg = '256', levelArg = '3'] = process.argv.slice(2);
  const size = Number(sizeArg);
  const shape = buildBirdMeanShape(Number(levelArg));
  const markers = keypointPositions(shape);
  const scale = 0.9;
  const views = (Object.keys(BIRD_VIEW_ROTATIONS) as BirdView[]).map((view) =>
    shadedView(
      shape.mesh,
      new WeakPerspectiveCamera({ scale, translation: [0, 0], quaternion: birdViewQuaternion(view) }),
      size,
      size,
      (scale * size) / 2,
      markers,
    ),
  );
  const grid = sideBySide(views);
  await writePng(out, grid.pixels, grid.height, grid.width, 3);
  const uvOut = out.replace(/\.png$/i, '') + '-uv.png';
  await writeViews(uvOut, shape.mesh, uvChecker(shape.textureSize), { views: 4, viewSize: [size, size] });
  process.stdout.write(`wrote ${out} and ${uvOut} (${shape.mesh.vertices.length / 3} vertices, ${shape.mesh.faces.length / 3} faces)\n`);
}

/** A texture of 16 x 8 checker cells tinted by u (red) and v (green), so seams and stretch show. */
function uvChecker([height, width]: readonly [number, number]) {
  const pixels = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = (Math.floor((x * 16) / width) + Math.floor((y * 8) / height)) % 2;
      const base = cell ? 90 : 230;
      pixels.set([Math.round(base * (0.5 + (0.5 * x) / width)), Math.round(base * (1 - (0.5 * y) / height)), base], 3 * (y * width + x));
    }
  }
  return { pixels, height, width, channels: 3 as const };
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
});
