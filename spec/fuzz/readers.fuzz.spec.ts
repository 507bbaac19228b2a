import { expect } from 'chai';
import fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseGlb } from '../../core/export/glb-reader';
import { parseObj, readObjFile } from '../../core/export/obj-reader';
import { FileError, resolveInside } from '../../core/io/file-guard';
import { decodePixels } from '../../core/io/image-decode';
import { ImageError } from '../../core/io/image-error';
import { ModelFileError } from '../../core/io/model-file-error';
import { loadWeights } from '../../core/io/weights-file';
import { MeshError } from '../../core/renderer/mesh-validation';
import { readRunFolder } from '../../core/cli/textured-mesh-input';
import { CubDataset } from '../../plugins/bird-cmr/cub/cub-dataset';
import { CubFormatError } from '../../plugins/bird-cmr/cub/cub-files';
import { Market1501Dataset } from '../../plugins/human-smpl/data/market1501-dataset';
import { checkFiniteNumbers } from '../../registry/config/load-config';
import { CONFIG_SCHEMA } from '../../registry/config/schema';
import { ConfigError, validateSchema } from '../../registry/config/validate';

/** retex's own error kinds: anything else (TypeError, RangeError, a raw errno) is a crash. */
const OWN = [MeshError, ImageError, FileError, ModelFileError, CubFormatError, ConfigError];
const SECRET = 'TOP-SECRET-CONTENT-42';

function expectOwn(err: unknown, extra: (new (...a: never[]) => Error)[] = []): void {
  const ok = [...OWN, ...extra].some((k) => err instanceof k);
  if (!ok) throw new Error(`not a retex error: ${(err as Error)?.name}: ${(err as Error)?.message}`);
  expect((err as Error).message).to.not.contain(SECRET);
}

async function outcome(f: () => unknown | Promise<unknown>, extra: (new (...a: never[]) => Error)[] = []): Promise<void> {
  try {
    await f();
  } catch (err) {
    expectOwn(err, extra);
  }
}

const OBJ_RECORDS = ['v 0 0 0', 'v 1 0 0', 'v 0 1 0', 'vt 0 0', 'vt 1 0', 'vt 0 1', 'f 1/1 2/2 3/3', 'f 1/1/1 2/2/1 3/3/1', 'vn 0 0 1', 'g x', '# c', 'f -1/-1 -2/-2 -3/-3', 'usemtl m'];
const objText = fc.oneof(
  fc.array(fc.constantFrom(...OBJ_RECORDS), { maxLength: 20 }).map((l) => l.join('\n')),
  fc.array(
    fc.oneof(
      fc.constantFrom(...OBJ_RECORDS),
      fc.tuple(fc.constantFrom('v', 'vt', 'f', 'vn'), fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 9 }).map(String), fc.constantFrom('1e400', 'NaN', '0x10', '1/', '/1', '1//2', '3/3/3')), { maxLength: 5 })).map(([t, a]) => `${t} ${a.join(' ')}`),
    ),
    { maxLength: 25 },
  ).map((l) => l.join(fc.sample(fc.constantFrom('\n', '\r\n'), 1)[0])),
  fc.string({ maxLength: 200 }),
);

describe('fuzz: readers give retex errors, never crashes, hangs or out-of-root reads', function () {
  this.timeout(30000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retex-fuzz-'));
    fs.mkdirSync(path.join(dir, 'secret'));
    fs.writeFileSync(path.join(dir, 'secret', 'private.jpg'), SECRET);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('OBJ text: a valid mesh or a MeshError', async () => {
    await fc.assert(
      fc.asyncProperty(objText, async (text) => {
        let mesh;
        try {
          mesh = parseObj(text, 'fuzz.obj');
        } catch (err) {
          expectOwn(err);
          return;
        }
        expect(mesh.faces.length).to.be.greaterThan(0);
        expect(Math.max(...mesh.faces)).to.be.lessThan(mesh.vertices.length / 3);
      }),
      { numRuns: 400 },
    );
  });

  it('OBJ files (streamed) agree with parseObj', async () => {
    const file = path.join(dir, 'f.obj');
    await fc.assert(
      fc.asyncProperty(objText, async (text) => {
        fs.writeFileSync(file, text);
        let a: string, b: string;
        try {
          a = JSON.stringify(Array.from(parseObj(text, file).faces));
        } catch (err) {
          a = (err as Error).message;
        }
        try {
          b = JSON.stringify(Array.from((await readObjFile(file)).faces));
        } catch (err) {
          expectOwn(err);
          b = (err as Error).message;
        }
        expect(b).to.equal(a);
      }),
      { numRuns: 60 },
    );
  });

  it('image bytes (random and mutated PNG): pixels or an ImageError', async () => {
    const sharp = (await import('sharp')).default;
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 9, g: 99, b: 200 } } }).png().toBuffer();
    const mutated = fc
      .array(fc.tuple(fc.nat(png.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
      .chain((edits) => fc.nat(png.length).map((cut) => ({ edits, cut })))
      .map(({ edits, cut }) => {
        const b = Buffer.from(png);
        for (const [i, v] of edits) b[i] = v;
        return b.subarray(0, Math.max(cut, 8));
      });
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.constant(Buffer.from(SECRET))), async (bytes) => {
        await outcome(() => decodePixels(bytes, { name: 'fuzz.png' }));
      }),
      { numRuns: 120 },
    );
  });

  it('glb bytes: a mesh or a retex error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(new TextEncoder().encode(`glTF${SECRET}`))), async (bytes) => {
        await outcome(() => parseGlb(bytes, 'fuzz.glb'));
      }),
      { numRuns: 100 },
    );
  });

  it('paths named by data: resolved inside the root or refused (symlinks included)', () => {
    fs.mkdirSync(path.join(dir, 'root', 'images'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'secret'), path.join(dir, 'root', 'images', 'link'));
    const root = path.join(dir, 'root');
    fc.assert(
      fc.property(fc.array(fc.constantFrom('..', '.', 'images', 'link', 'a.jpg', '', '/etc', 'secret'), { maxLength: 6 }), (parts) => {
        const rel = parts.join('/');
        try {
          const p = resolveInside(root, rel, 'fuzz');
          const real = fs.realpathSync(root);
          expect(p === real || p.startsWith(real + path.sep)).to.equal(true);
        } catch (err) {
          expect(err).to.be.instanceOf(FileError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('CUB layout files: a data set whose images stay inside, or a retex error', async () => {
    const line = fc.oneof(
      fc.constantFrom('1 a/x.jpg', '1 ../../secret/private.jpg', '1 /etc/passwd', '1 link/private.jpg', '1', '1 1', '2 a/y.jpg', '1 0 1 1'),
      fc.string({ maxLength: 30 }),
    );
    const table = fc.array(line, { maxLength: 4 }).map((l) => l.join('\n'));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.record({ images: table, labels: table, split: table, boxes: fc.constantFrom('1 0 0 10 10', 'x'), parts: table }), async (t) => {
        const root = path.join(dir, `cub${n++}`);
        fs.mkdirSync(path.join(root, 'parts'), { recursive: true });
        fs.mkdirSync(path.join(root, 'images'));
        fs.writeFileSync(path.join(root, 'images.txt'), t.images);
        fs.writeFileSync(path.join(root, 'image_class_labels.txt'), t.labels);
        fs.writeFileSync(path.join(root, 'train_test_split.txt'), t.split);
        fs.writeFileSync(path.join(root, 'bounding_boxes.txt'), t.boxes);
        fs.writeFileSync(path.join(root, 'parts', 'part_locs.txt'), t.parts);
        let set: CubDataset;
        try {
          set = await CubDataset.load({ root, size: [32, 32] } as never);
        } catch (err) {
          // Plain Errors for option problems are the data set's own; TypeError and the like are crashes.
          if ((err as Error).constructor !== Error) expectOwn(err);
          expect((err as Error).message).to.not.contain(SECRET);
          return;
        }
        for (const split of ['train', 'test']) {
          for (const s of await Promise.resolve().then(() => set.samples(split)).catch(() => [])) {
            expect(s.imagePath.startsWith(fs.realpathSync(path.join(root, 'images')))).to.equal(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('Market layout: every image resolves inside the root; a symlink out is refused', () => {
    const root = path.join(dir, 'market');
    fs.mkdirSync(path.join(root, 'bounding_box_train'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bounding_box_train', '0002_c1s1_000451_03.jpg'), 'x');
    fs.symlinkSync(path.join(dir, 'secret', 'private.jpg'), path.join(root, 'bounding_box_train', '0003_c1s1_000451_03.jpg'));
    expect(() => Market1501Dataset.load({ root, size: [32, 16] } as never).samples('train')).to.throw(FileError, /outside/);
  });

  it('config values: finite numbers and the schema, or a ConfigError quoting the JSON path', () => {
    const value = fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null), fc.boolean());
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('epochs', 'seed', 'learningRate', 'x'), value, { maxKeys: 4 }), (train) => {
        const config = { category: 'human', plugin: 'p', pluginOptions: {}, backend: 'cpu', image: { height: 64, width: 32 }, texture: { height: 64, width: 64 }, train };
        try {
          checkFiniteNumbers(config, 'fuzz');
          validateSchema(CONFIG_SCHEMA, config, 'fuzz');
        } catch (err) {
          expect(err).to.be.instanceOf(ConfigError);
          return;
        }
        expect(JSON.parse(JSON.stringify(config))).to.deep.equal(config);
      }),
      { numRuns: 300 },
    );
  });

  it('weights manifests: tensors or a ModelFileError; data paths stay inside the folder', async () => {
    const wdir = path.join(dir, 'weights');
    fs.mkdirSync(wdir);
    fs.writeFileSync(path.join(wdir, 'weights.bin'), Buffer.alloc(16));
    const manifest = fc.record({
      format: fc.constantFrom('retex-weights', 'x'),
      version: fc.constantFrom(1, 2, 'a'),
      data: fc.constantFrom('weights.bin', '../secret/private.jpg', '/etc/passwd', '', 'nope.bin'),
      byteLength: fc.constantFrom(16, 8, -1),
      weights: fc.constantFrom([], [{ name: 'a', shape: [4], dtype: 'float32', offset: 0 }], [{ name: 'a', shape: [99], dtype: 'float32' }], 'x'),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(manifest.map((m) => JSON.stringify(m)), fc.string({ maxLength: 40 }), fc.constant(`{"x": "${SECRET}"`)), async (text) => {
        fs.writeFileSync(path.join(wdir, 'weights.json'), text);
        await outcome(async () => {
          const t = await loadWeights(wdir);
          Object.values(t).forEach((x) => x.dispose());
        });
      }),
      { numRuns: 100 },
    );
  });

  it('run folders: a model inside the folder or a retex error', async () => {
    const run = path.join(dir, 'run');
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(run, 'run.json'), '{}');
    await outcome(() => readRunFolder(run));
    fs.symlinkSync(path.join(dir, 'secret', 'private.jpg'), path.join(run, 'model.glb'));
    let err: unknown;
    await readRunFolder(run).catch((e) => (err = e));
    expect(err).to.be.instanceOf(FileError);
    expect((err as Error).message).to.match(/outside/);
  });
});
