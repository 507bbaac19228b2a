import { performance } from 'perf_hooks';
import { describeBackend, initBackend, type BackendInfo, type BackendRequest } from '../backend/backend';
import { tf } from '../backend/tf';
import type { TextureSampling } from '../interfaces/renderer';
import { bodyLikeMesh } from '../renderer/body-like-mesh';
import { PerspectiveCamera } from '../renderer/perspective-camera';
import type { SparseRenderOperator } from '../renderer/render-operator';
import { SparseRenderer } from '../renderer/sparse-renderer';

/** Options of {@link runBenchRender}. */
export interface BenchRenderOptions {
  /** Backend for `apply` (rasterization is plain JavaScript on one core either way); default `auto`. */
  readonly backend?: BackendRequest;
  /** Image sizes [H, W]; default 128x64 (the method's) and 256x256. */
  readonly sizes?: readonly (readonly [number, number])[];
  /** Texture size [Th, Tw]; default 64x64 (the method's). */
  readonly textureSize?: readonly [number, number];
  /** Default `nearest` (the method's). */
  readonly sampling?: TextureSampling;
  /** Batch for `apply`; default 16 (the method's). */
  readonly batch?: number;
  /** Seconds to spend measuring each figure; default 1. */
  readonly seconds?: number;
  /** Skip the dense formulation when its matrices (A and A^T) would exceed this many MiB; default 2100. */
  readonly denseMaxMiB?: number;
  /** Called with progress notes (e.g. to stderr). */
  readonly onNote?: (message: string) => void;
}

/** One row of the benchmark, one per image size. */
export interface BenchRenderResult {
  readonly faces: number;
  readonly vertices: number;
  /** "HxW", e.g. "128x64". */
  readonly size: string;
  readonly texture: string;
  readonly sampling: TextureSampling;
  readonly backend: string;
  /** Mean covered pixels of the measured operators. */
  readonly covered_pixels: number;
  /** Operators built per second of wall-clock time (rasterize + taps + operator), one thread. */
  readonly operators_per_s: number;
  /** The same per second of this process's CPU time (less sensitive to other processes' load). */
  readonly operators_per_cpu_s: number;
  readonly rasterize_ms: number;
  readonly operator_ms: number;
  /** Median ms of forward + backward of `apply` at the batch size (sparse gathers). */
  readonly apply_ms: number;
  /** The same map as a dense [H*W, Th*Tw] matMul, forward + backward; null when skipped (see dense_note). */
  readonly dense_apply_ms: number | null;
  /** dense_apply_ms / apply_ms. */
  readonly dense_ratio: number | null;
  readonly dense_note?: string;
  readonly batch: number;
}

/** Camera framing the 1.7 m body to about 90% of the image height, turned by `angle` about the vertical. */
function benchCamera(height: number, width: number, angle: number): PerspectiveCamera {
  const distance = 4;
  const focal = (0.9 * height * distance) / 1.7;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  // Model y up, front +z -> camera x right, y down, looking along +z; then turned about y.
  const rotation = [c, 0, -s, 0, -1, 0, -s, 0, -c];
  return new PerspectiveCamera({ focalLength: focal, rotation, translation: [0, 0.85, distance] });
}

/** Median of the durations of `fn` over at least `minRuns` runs and about `seconds` seconds. */
function timeMedian(fn: () => void, seconds: number, minRuns: number, maxRuns = 1000): number {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < seconds * 1000 && times.length < maxRuns)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const round = (x: number, digits = 3): number => Number(x.toPrecision(digits));

/** Forward + backward of the sparse operator: d/dt sum(A t * y). */
function sparseStep(op: SparseRenderOperator, t: tf.Tensor4D, y: tf.Tensor4D): () => void {
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(op.apply(x as tf.Tensor4D), y)));
  return () => {
    const g = grad(t);
    g.dataSync();
    g.dispose();
  };
}

/**
 * The same map as a dense matrix A [H*W, Th*Tw] applied with matMul, forward + backward. The backward
 * multiplies by a precomputed dense A^T (not matMul's transposeA path, which is slow on wasm), to give
 * the dense formulation its best case.
 */
function denseStep(op: SparseRenderOperator, t: tf.Tensor4D, y: tf.Tensor4D): { step: () => void; matrices: tf.Tensor2D[] } {
  const npix = op.height * op.width;
  const ntex = op.textureSize[0] * op.textureSize[1];
  const dense = new Float32Array(npix * ntex);
  const denseT = new Float32Array(npix * ntex);
  const { pixels, taps, weights, tapsPerPixel: k } = op.taps;
  for (let n = 0; n < pixels.length; n++) {
    for (let j = 0; j < k; j++) {
      dense[pixels[n] * ntex + taps[n * k + j]] += weights[n * k + j];
      denseT[taps[n * k + j] * npix + pixels[n]] += weights[n * k + j];
    }
  }
  const a = tf.tensor2d(dense, [npix, ntex]);
  const at = tf.tensor2d(denseT, [ntex, npix]);
  const [batch, , , channels] = t.shape;
  const toRows = (x: tf.Tensor, n: number): tf.Tensor2D =>
    tf.reshape(tf.transpose(tf.reshape(x, [batch, n, channels]), [1, 0, 2]), [n, batch * channels]);
  const fromRows = (x: tf.Tensor, shape: number[]): tf.Tensor =>
    tf.reshape(tf.transpose(tf.reshape(x, [shape[0] * shape[1], batch, channels]), [1, 0, 2]), [batch, ...shape, channels]);
  const apply = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    return {
      value: fromRows(tf.matMul(a, toRows(x, ntex)), [op.height, op.width]),
      gradFunc: (dy: tf.Tensor) => fromRows(tf.matMul(at, toRows(dy, npix)), [op.textureSize[0], op.textureSize[1]]),
    };
  });
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(apply(x), y)));
  return {
    matrices: [a, at],
    step: () => {
      const g = grad(t);
      g.dataSync();
      g.dispose();
    },
  };
}

/**
 * Measures the renderer on a 13,776-face / 6,890-vertex closed body-like mesh (SMPL's sizes): operators
 * built per second on one core, and `apply` (batch forward + backward) against a dense matMul of the
 * same map. Each operator is built from a different view (the body turns) so nothing is cached.
 */
export async function runBenchRender(options: BenchRenderOptions = {}): Promise<BenchRenderResult[]> {
  const info: BackendInfo = await initBackend(options.backend ?? 'auto');
  options.onNote?.(describeBackend(info));
  const sizes = options.sizes ?? [[128, 64], [256, 256]];
  const textureSize = options.textureSize ?? [64, 64];
  const sampling = options.sampling ?? 'nearest';
  const batch = options.batch ?? 16;
  const seconds = options.seconds ?? 1;
  const denseMaxMiB = options.denseMaxMiB ?? 2100;
  const note = options.onNote ?? (() => undefined);
  const mesh = bodyLikeMesh();
  const renderer = new SparseRenderer();
  const results: BenchRenderResult[] = [];

  for (const [height, width] of sizes) {
    const size = `${height}x${width}`;
    note(`bench render ${size}: building operators...`);
    let view = 0;
    let covered = 0;
    let rasterMs = 0;
    let operatorMs = 0;
    let built = 0;
    const buildOne = (): void => {
      const camera = benchCamera(height, width, (view++ * 2 * Math.PI) / 97);
      const t0 = performance.now();
      const frag = renderer.rasterize(mesh, camera, height, width);
      const t1 = performance.now();
      const op = renderer.operator(frag, textureSize, sampling);
      const t2 = performance.now();
      rasterMs += t1 - t0;
      operatorMs += t2 - t1;
      covered += op.coveredPixels;
      built++;
    };
    for (let i = 0; i < 20; i++) buildOne(); // warm up the JIT
    [rasterMs, operatorMs, covered, built] = [0, 0, 0, 0];
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    while (built < 20 || performance.now() - start < seconds * 1000) buildOne();
    const elapsed = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;

    note(`bench render ${size}: apply, batch ${batch}, forward + backward...`);
    const op = renderer.operator(renderer.rasterize(mesh, benchCamera(height, width, 0.3), height, width), textureSize, sampling);
    const t = tf.randomUniform([batch, textureSize[0], textureSize[1], 3], -1, 1) as tf.Tensor4D;
    const y = tf.randomUniform([batch, height, width, 3], -1, 1) as tf.Tensor4D;
    const sparse = sparseStep(op, t, y);
    sparse();
    const applyMs = timeMedian(sparse, seconds, 5);

    let denseMs: number | null = null;
    let denseNote: string | undefined;
    const denseMiB = (2 * height * width * textureSize[0] * textureSize[1] * 4) / 2 ** 20;
    if (denseMiB > denseMaxMiB) {
      denseNote = `dense A and A^T would take ${denseMiB.toFixed(0)} MiB (> ${denseMaxMiB} MiB limit)`;
    } else {
      note(`bench render ${size}: dense matMul formulation (A and A^T: ${denseMiB.toFixed(0)} MiB)...`);
      let matrices: tf.Tensor2D[] = [];
      try {
        const dense = denseStep(op, t, y);
        matrices = dense.matrices;
        dense.step();
        denseMs = timeMedian(dense.step, seconds, 3);
      } catch (err) {
        denseNote = `dense formulation failed: ${(err as Error).message.split('\n')[0]}`;
      } finally {
        tf.dispose(matrices);
      }
    }
    tf.dispose([t, y]);
    op.dispose();
    if (denseNote !== undefined) note(`bench render ${size}: ${denseNote}`);
    results.push({
      faces: mesh.faces.length / 3,
      vertices: mesh.vertices.length / 3,
      size,
      texture: `${textureSize[0]}x${textureSize[1]}`,
      sampling,
      backend: info.name,
      covered_pixels: Math.round(covered / built),
      operators_per_s: round((built * 1000) / elapsed),
      operators_per_cpu_s: round((built * 1000) / cpuMs),
      rasterize_ms: round(rasterMs / built),
      operator_ms: round(operatorMs / built),
      apply_ms: round(applyMs),
      dense_apply_ms: denseMs === null ? null : round(denseMs),
      dense_ratio: denseMs === null ? null : round(denseMs / applyMs),
      ...(denseNote !== undefined ? { dense_note: denseNote } : {}),
      batch,
    });
  }
  return results;
}
