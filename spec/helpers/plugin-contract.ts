/**
 * The contract every category plugin meets: `describeCategoryPlugin(plugin, fixtures)` declares a mocha
 * suite that loads the plugin through the real registry and its shipped `configs/<category>.json`, resolves
 * each role, checks the tensors against the interfaces' documented shapes, dtypes and ranges, checks that
 * the loss's gradient reaches the texture (and the generator's weights), that nothing leaks tensors, that
 * the mesh predictor refuses a photo without the subject with a message, and smoke-runs `retex prepare`,
 * `retex train` and `retex run` (the built binary) on a tiny data set.
 *
 * What a plugin does not provide (a role neither it nor core implements, an optional extension such as
 * `synth` or `photo`) is reported as a pending test whose title says so, never replaced by a stand-in.
 *
 * Plugin authors: call it from `spec/plugins/<id>/contract.spec.ts` (`retex new-plugin` writes that file).
 */
import Ajv from 'ajv';
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DependencyContainer } from 'tsyringe';
import { initBackend } from '../../core/backend/backend';
import { tf } from '../../core/backend/tf';
import type { Dataset, Sample } from '../../core/interfaces/dataset';
import type { AlignedMesh, Mesh } from '../../core/interfaces/mesh';
import type { LossInputs } from '../../core/interfaces/loss';
import { ROLES } from '../../core/plugin';
import type { CategoryPlugin, JsonSchema, RetexConfig, Role, RoleTypes } from '../../core/plugin';
import { ALL_PLUGINS, createRunContainer, defaultConfigDir, defaultRegistry, deepMerge, loadConfig, PluginRegistry, resolveRole } from '../../registry';
import { cliServices } from '../../registry/cli-main';
import { runRetex } from './cli';
import { expectNoTensorLeak } from './tensors';

type Json = Record<string, unknown>;

/** What a plugin's contract spec tells the suite about its category. Every field is optional. */
export interface PluginContractFixtures {
  /** The category under test (default the plugin's first). */
  readonly category?: string;
  /**
   * Config sections merged over `configs/<category>.json` for the in-process checks (e.g. a smaller
   * image). The suite itself shrinks core's `unet` to width 1/16 so the checks stay fast.
   */
  readonly overrides?: Json;
  /**
   * Writes a tiny data set of the category into `dir` and returns its root (what `--data` takes).
   * Default: the plugin's `synth` with 2 subjects x 2 images (`synth` below); without either, every check
   * that needs data is reported as pending.
   */
  readonly makeData?: (dir: string) => Promise<string>;
  /** Options of the default tiny set made by the plugin's synth. */
  readonly synth?: { readonly subjects?: number; readonly imagesPerSubject?: number; readonly size?: readonly [number, number] };
  /** A photo that shows the subject, for the `retex run` smoke (default: the tiny set's first training image). */
  readonly photo?: string | ((dir: string) => Promise<string>);
  /** An image without the subject, float32 [H,W,3] in [-1,1] (default: uniform mid-grey at the config's size). */
  readonly blankImage?: (size: readonly [number, number]) => tf.Tensor3D;
  /**
   * What the mesh predictor's refusal of a photo without the subject must say (default: it names the
   * subject, by the photo subject's noun, or says nothing was found).
   */
  readonly noSubjectMessage?: RegExp;
  /** Options of the photo predictor (`photo.predictor`) for the no-subject check, e.g. to skip a network. */
  readonly photoPredictorOptions?: Json;
  /** Mesh predictor `retex prepare` uses in the smoke (default `ground-truth` when the plugin has one, else the config's). */
  readonly preparePredictor?: string;
  /** Extra arguments of the `retex run` smoke (e.g. `['--heading', 'left']`); `false` leaves the run smoke out. */
  readonly runArgs?: readonly string[] | false;
  /** A retex config the `retex run` smoke passes with `--config` (written to a temporary file). */
  readonly runConfig?: Json;
  /** `false` leaves the prepare/train/run smoke out (say why in the spec). */
  readonly smoke?: boolean;
  /** Mocha timeout of each check, ms (default 120 000). */
  readonly timeoutMs?: number;
}

const ajv = new Ajv({ allErrors: true, strict: false });

/** Asserts `schema` compiles as a JSON Schema of an object that refuses unknown keys. */
function expectClosedObjectSchema(schema: JsonSchema | undefined, what: string): void {
  expect(schema, `${what}: a schema`).to.be.an('object');
  expect(() => ajv.compile(schema as object), `${what}: compiles`).to.not.throw();
  expect((schema as Json).type, `${what}: describes an object`).to.equal('object');
  expect((schema as Json).additionalProperties, `${what}: refuses unknown keys (additionalProperties: false), so typos are caught`).to.equal(false);
}

/** Asserts every value is finite and within [lo, hi]. */
function expectRange(values: ArrayLike<number>, lo: number, hi: number, what: string): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) expect.fail(`${what}[${i}] = ${v}: not finite`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  expect(min, `${what}: minimum`).to.be.at.least(lo);
  expect(max, `${what}: maximum`).to.be.at.most(hi);
}

function expectIndices(values: Int32Array, lo: number, hiExclusive: number, what: string): void {
  expect(values, what).to.be.instanceOf(Int32Array);
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= lo && values[i] < hiExclusive)) expect.fail(`${what}[${i}] = ${values[i]}: outside [${lo}, ${hiExclusive})`);
  }
}

/** The Mesh contract (core/interfaces/mesh.ts). */
export function expectValidMesh(mesh: Mesh, what = 'mesh'): void {
  expect(mesh.vertices, `${what}.vertices`).to.be.instanceOf(Float32Array);
  expect(mesh.vertices.length % 3, `${what}.vertices: [V*3]`).to.equal(0);
  expect(mesh.faces.length % 3, `${what}.faces: [F*3]`).to.equal(0);
  expect(mesh.faces.length, `${what}: has triangles`).to.be.greaterThan(0);
  expectIndices(mesh.faces, 0, mesh.vertices.length / 3, `${what}.faces`);
  expect(mesh.uvs, `${what}.uvs`).to.be.instanceOf(Float32Array);
  expect(mesh.uvs.length % 2, `${what}.uvs: [T*2]`).to.equal(0);
  expectRange(mesh.uvs, 0, 1, `${what}.uvs`);
  expect(mesh.uvFaces.length, `${what}.uvFaces: one UV triangle per face`).to.equal(mesh.faces.length);
  expectIndices(mesh.uvFaces, 0, mesh.uvs.length / 2, `${what}.uvFaces`);
  expectRange(mesh.vertices, -Infinity, Infinity, `${what}.vertices`);
}

/** The AlignedMesh contract: a valid mesh and a camera that projects it to finite pixel coordinates. */
export function expectValidAlignedMesh(aligned: AlignedMesh, size: readonly [number, number], what = 'aligned mesh'): void {
  expectValidMesh(aligned.mesh, `${what}.mesh`);
  expect(aligned.camera.kind, `${what}.camera.kind`).to.be.a('string').and.not.equal('');
  const projected = aligned.camera.project(aligned.mesh.vertices, size[0], size[1]);
  expect(projected, `${what}.camera.project`).to.be.instanceOf(Float32Array);
  expect(projected.length, `${what}.camera.project: [V*3]`).to.equal(aligned.mesh.vertices.length);
  expectRange(projected, -Infinity, Infinity, `${what}.camera.project`);
  if (aligned.camera.rotation != null) expect(aligned.camera.rotation.length, `${what}.camera.rotation: 9 numbers`).to.equal(9);
  if (aligned.mask != null) {
    expect(aligned.mask.length, `${what}.mask: [H*W]`).to.equal(size[0] * size[1]);
    expectRange(aligned.mask, 0, 1, `${what}.mask`);
  }
  if (aligned.parameters != null) expect(() => JSON.stringify(aligned.parameters), `${what}.parameters: plain JSON`).to.not.throw();
}

function expectTensor(t: tf.Tensor, shape: readonly number[], lo: number, hi: number, what: string): void {
  expect(t.dtype, `${what}: dtype`).to.equal('float32');
  expect(t.shape, `${what}: shape`).to.deep.equal([...shape]);
  expectRange(t.dataSync(), lo, hi, what);
}

/** Calls `fn` once to fill any caches, then asserts a second call leaks no tensor. */
async function expectNoLeakAfterWarmUp<T>(fn: () => T | Promise<T>, what: string): Promise<T> {
  await fn();
  return expectNoTensorLeak(fn, what);
}

/** The no-subject message's default: it names the subject or says nothing was found. */
function defaultNoSubjectMessage(noun: string | undefined): RegExp {
  const alternatives = ['no .* (found|detected|visible)', 'not (found|detected|visible)', 'nothing', 'cannot find', 'could not find'];
  if (noun) alternatives.unshift(noun.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(alternatives.join('|'), 'i');
}

/** Disposes a loaded role when it owns anything (renderers and data sets own no tensors). */
function disposeRole(value: unknown): void {
  const d = (value as { dispose?: () => void } | null)?.dispose;
  if (typeof d === 'function') d.call(value);
}

/** State shared by the suite's checks (filled by its hooks). */
interface SuiteState {
  registry: PluginRegistry;
  /** The shipped config with the tiny set, a tiny U-Net and the spec's overrides. */
  config: RetexConfig;
  /** What was merged over the shipped config to get `config`. */
  overrides: Json;
  dir: string;
  data: string | null;
  baseline: number;
  loaded: Map<Role, Promise<RoleTypes[Role]>>;
  container: DependencyContainer | null;
}

/**
 * Declares the contract suite of one category plugin (mocha `describe`/`it`). The plugin must be in the
 * registry's `ALL_PLUGINS` (its registry line) with `configs/<category>.json` beside the others.
 */
export function describeCategoryPlugin(plugin: CategoryPlugin, fixtures: PluginContractFixtures = {}): void {
  const category = fixtures.category ?? plugin.categories[0];
  // Which roles anything implements is known without loading: core's implementations plus the plugin's.
  const staticRegistry = new PluginRegistry([plugin]);
  const provided = (role: Role) => staticRegistry.implementations(plugin, role).length > 0;
  const notProvided = (what: string) => `${what}: not provided by '${plugin.id}' (or core) — skipped, nothing stands in for it`;
  const s = { loaded: new Map(), container: null, data: null, overrides: {} } as unknown as SuiteState;

  const canMakeData = fixtures.makeData != null || plugin.synth != null;
  const noData = `no tiny data set: '${plugin.id}' has no synth and the spec gives no makeData`;

  /**
   * Loads the config of the checks once (the shipped one, the tiny set, a tiny U-Net, the spec's
   * overrides), writing the tiny set first; every check that needs them awaits it, so a failure shows in
   * each of them with its cause.
   */
  let ready: Promise<void> | null = null;
  const setup = (): Promise<void> => {
    ready ??= (async () => {
      const shipped = (await loadConfig(s.registry, { category, cwd: s.dir })).config;
      if (canMakeData) {
        const out = path.join(s.dir, 'data');
        if (fixtures.makeData) s.data = path.resolve(await fixtures.makeData(out));
        else {
          const o = fixtures.synth ?? {};
          await plugin.synth!.run({ out, subjects: o.subjects ?? 2, imagesPerSubject: o.imagesPerSubject ?? 2, size: o.size, seed: 0 });
          s.data = out;
        }
      }
      const tiny: Json = {};
      const gen = shipped.textureGenerator as Json;
      if (gen.type === 'unet' && gen.weights == null) tiny.textureGenerator = { width: 0.0625 };
      if (s.data != null) tiny.dataset = { root: s.data };
      s.overrides = deepMerge(tiny, fixtures.overrides ?? {});
      s.config = (await loadConfig(s.registry, { category, cwd: s.dir, overrides: s.overrides })).config;
    })();
    return ready;
  };
  const role = <R extends Role>(r: R): Promise<RoleTypes[R]> => {
    let p = s.loaded.get(r) as Promise<RoleTypes[R]> | undefined;
    if (p == null) {
      s.container ??= createRunContainer(s.registry, s.config);
      p = resolveRole(s.container, r);
      s.loaded.set(r, p as Promise<RoleTypes[Role]>);
    }
    return p;
  };
  const imageSize = (): [number, number] => [s.config.image.height, s.config.image.width];
  const textureSize = (): [number, number] => [s.config.texture.height, s.config.texture.width];
  const sampling = () => ((s.config.renderer as { sampling?: 'nearest' | 'bilinear' }).sampling ?? 'nearest');
  const firstSample = async (): Promise<{ dataset: Dataset; sample: Sample }> => {
    const dataset = await role('dataset');
    const sample = dataset.samples('train')[0];
    expect(sample, 'the tiny set has a training image').to.not.equal(undefined);
    return { dataset, sample };
  };
  /** The configured predictor's fit of the tiny set's first image (what `retex prepare` does). */
  let fitted: Promise<{ aligned: AlignedMesh; image: tf.Tensor3D }> | null = null;
  const fitFirst = () => {
    fitted ??= (async () => {
      const { dataset, sample } = await firstSample();
      const predictor = await role('meshPredictor');
      const image = await dataset.loadImage(sample);
      const aligned = await predictor.predict({ image, id: sample.id, imagePath: sample.imagePath, annotations: sample.annotations });
      return { aligned, image };
    })();
    return fitted;
  };

  describe(`category plugin contract: ${plugin.id} (category '${category}')`, function () {
    this.timeout(fixtures.timeoutMs ?? 120000);

    // The backend retex trains on by default (the cpu backend lacks some gradients, e.g. ResizeBilinear's
    // on non-square images); put back to the runner's cpu afterwards.
    before(async () => {
      await initBackend('wasm');
      s.registry = defaultRegistry();
      s.baseline = tf.memory().numTensors;
      s.dir = fs.mkdtempSync(path.join(os.tmpdir(), `retex-contract-${plugin.id}-`));
    });

    after(async () => {
      for (const p of s.loaded.values()) disposeRole(await p.catch(() => null));
      s.loaded.clear();
      if (fitted) (await fitted.catch(() => null))?.image.dispose();
      if (s.dir) fs.rmSync(s.dir, { recursive: true, force: true });
      await initBackend('cpu');
    });

    describe('the plugin object, its registry line and its config', () => {
      it('is a plain object with an id (its folder under plugins/), categories and a description', () => {
        expect(plugin.id, 'id').to.match(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        expect(fs.existsSync(path.join(defaultConfigDir(), '..', 'plugins', plugin.id)), `plugins/${plugin.id} exists`).to.equal(true);
        expect(plugin.categories, 'categories').to.be.an('array').that.is.not.empty;
        for (const c of plugin.categories) expect(c, 'category').to.match(/^[a-z][a-z0-9-]*$/);
        expect(plugin.description, 'description').to.be.a('string').and.not.equal('');
        expect(plugin.implementations, 'implementations').to.be.an('object');
      });

      it("is in the registry's ALL_PLUGINS, serves its categories, and clashes with no other plugin", () => {
        expect(ALL_PLUGINS, `registry/plugins.ts lists '${plugin.id}'`).to.include(plugin);
        const registry = defaultRegistry();
        expect(registry.get(plugin.id)).to.equal(plugin);
        for (const c of plugin.categories) expect(registry.forCategory(c), `category '${c}'`).to.equal(plugin);
      });

      it('has a valid config schema and an options schema for every implementation that refuses unknown keys', () => {
        expectClosedObjectSchema(plugin.configSchema, `${plugin.id}.configSchema`);
        for (const r of ROLES) {
          for (const [id, impl] of Object.entries(plugin.implementations[r] ?? {})) {
            expect(impl.description, `${r} '${id}' description`).to.be.a('string').and.not.equal('');
            expect(impl.create, `${r} '${id}' create`).to.be.a('function');
            if (impl.optionsSchema != null) expectClosedObjectSchema(impl.optionsSchema, `${r} '${id}' optionsSchema`);
          }
        }
      });

      it(`ships configs/${category}.json, complete and valid (core schema, plugin schema, every role's options)`, async () => {
        const file = path.join(defaultConfigDir(), `${category}.json`);
        expect(fs.existsSync(file), `configs/${category}.json`).to.equal(true);
        const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
        expect(raw.category).to.equal(category);
        expect(raw.plugin).to.equal(plugin.id);
        // loadConfig checks the core schema (every section present), the plugin's and each role's.
        const { config } = await loadConfig(defaultRegistry(), { category, cwd: s.dir });
        for (const r of ROLES) {
          const type = config[r].type;
          if (provided(r)) {
            const ids = staticRegistry.implementations(plugin, r).map((e) => e.id);
            expect(ids, `${r}.type '${type}' names an implementation`).to.include(type);
          }
        }
        // A wrong key is refused with its JSON path.
        let message = '';
        await loadConfig(defaultRegistry(), { category, cwd: s.dir, overrides: { pluginOptions: { noSuchOption: 1 } } }).catch((e: Error) => (message = e.message));
        expect(message).to.match(/\/pluginOptions.*noSuchOption/);
      });

      it('is listed by `retex plugins` role by role (roles nothing implements as not provided)', () => {
        const summary = cliServices(defaultRegistry()).plugins().find((p) => p.id === plugin.id);
        expect(summary, 'listed').to.not.equal(undefined);
        for (const r of ROLES) expect(summary!.roles[r].length > 0, r).to.equal(provided(r));
      });
    });

    describe('roles: each resolves through the registry and meets its tensor contract', () => {
      before(() => setup());
      const roleIt = (r: Role, title: string, needsData: boolean, fn: () => Promise<void>) => {
        if (!provided(r)) return it.skip(notProvided(r));
        if (needsData && !canMakeData) return it.skip(`${r}: ${title} — ${noData}`);
        return it(`${r}: ${title}`, fn);
      };

      roleIt('dataset', "the configured data set reads the tiny set: samples per split, images float32 [H,W,3] in [-1,1]", true, async () => {
        const { dataset, sample } = await firstSample();
        expect(dataset.id).to.be.a('string').and.not.equal('');
        expect(sample.id).to.be.a('string').and.not.equal('');
        expect(Number.isInteger(sample.identity), 'identity is an integer').to.equal(true);
        expect(fs.existsSync(sample.imagePath), `imagePath ${sample.imagePath} exists`).to.equal(true);
        expect(path.isAbsolute(sample.imagePath), 'imagePath is absolute').to.equal(true);
        const image = await expectNoTensorLeak(() => dataset.loadImage(sample).then((t) => (t.dispose(), null)), 'loadImage (disposed)');
        expect(image).to.equal(null);
        const t = await dataset.loadImage(sample);
        try {
          expectTensor(t, [...imageSize(), 3], -1, 1, 'loadImage');
        } finally {
          t.dispose();
        }
        expect(() => dataset.samples('no-such-split'), 'an unknown split throws').to.throw();
      });

      roleIt('meshPredictor', "the configured predictor fits the tiny set's first image: a valid mesh and camera, leak-free", true, async () => {
        await firstSample();
        await role('meshPredictor');
        const before = tf.memory().numTensors;
        const { aligned } = await fitFirst();
        // The fit's image is kept for the later checks: one tensor.
        expect(tf.memory().numTensors - before - 1, 'predict leaked tensors').to.equal(0);
        expectValidAlignedMesh(aligned, imageSize());
      });

      const renderTitle = 'rasterizes the fitted mesh into fragments and a sparse operator: [B,Th,Tw,3] -> [B,H,W,3], zero off the mask';
      if (provided('renderer') && !provided('meshPredictor')) it.skip(`renderer: ${renderTitle} — needs a mesh: ${notProvided('meshPredictor')}`);
      else roleIt('renderer', renderTitle, true, async () => {
        const renderer = await role('renderer');
        const { aligned } = await fitFirst();
        const [h, w] = imageSize();
        const fragments = renderer.rasterize(aligned.mesh, aligned.camera, h, w);
        expect([fragments.height, fragments.width]).to.deep.equal([h, w]);
        expect(fragments.faceIds.length).to.equal(h * w);
        expectIndices(fragments.faceIds, -1, aligned.mesh.faces.length / 3, 'faceIds');
        expect(fragments.barycentrics.length).to.equal(h * w * 3);
        expectRange(fragments.uv, 0, 1, 'fragments.uv');
        const covered = fragments.faceIds.filter((f) => f >= 0).length;
        expect(covered, 'pixels the fitted mesh covers').to.be.greaterThan(0);
        const op = renderer.operator(fragments, textureSize(), sampling());
        try {
          expect([op.height, op.width]).to.deep.equal([h, w]);
          expect([...op.textureSize]).to.deep.equal(textureSize());
          expect(op.mask.length).to.equal(h * w);
          expectRange(op.mask, 0, 1, 'operator.mask');
          const texture = tf.randomUniform([2, ...textureSize(), 3], -1, 1, 'float32', 3) as tf.Tensor4D;
          try {
            const image = await expectNoLeakAfterWarmUp(() => {
              const out = op.apply(texture);
              const values = { shape: out.shape, data: out.dataSync().slice(), dtype: out.dtype };
              out.dispose();
              return values;
            }, 'operator.apply (disposed)');
            expect(image.dtype).to.equal('float32');
            expect(image.shape).to.deep.equal([2, h, w, 3]);
            expectRange(image.data, -1, 1, 'rendering of a texture in [-1,1]');
            for (let p = 0; p < h * w; p++) {
              if (op.mask[p] === 0 && (image.data[p * 3] !== 0 || image.data[p * 3 + 1] !== 0 || image.data[p * 3 + 2] !== 0)) {
                expect.fail(`pixel ${p} is off the mask but not zero`);
              }
            }
          } finally {
            texture.dispose();
          }
        } finally {
          op.dispose();
        }
      });

      roleIt('textureGenerator', 'sizes match the config; generate: [B,H,W,3] in [-1,1] -> [B,Th,Tw,3] in [-1,1], leak-free; trainable', false, async () => {
        const generator = await role('textureGenerator');
        expect([...generator.inputSize]).to.deep.equal(imageSize());
        expect([...generator.textureSize]).to.deep.equal(textureSize());
        expect(generator.trainableVariables().length, 'trainable variables').to.be.greaterThan(0);
        const images = tf.randomUniform([2, ...imageSize(), 3], -1, 1, 'float32', 5) as tf.Tensor4D;
        try {
          for (const training of [false, true]) {
            await expectNoLeakAfterWarmUp(() => {
              const out = generator.generate(images, training);
              try {
                expectTensor(out, [2, ...textureSize(), 3], -1, 1, `generate(training=${training})`);
              } finally {
                out.dispose();
              }
            }, `generate(training=${training})`);
          }
        } finally {
          images.dispose();
        }
      });

      roleIt('identityNetwork', 'features: one float32 [B,...] tensor per stage name, finite, leak-free', false, async () => {
        const net = await role('identityNetwork');
        expect(net.stageNames.length, 'stages').to.be.greaterThan(0);
        expect(net.inputSize.length).to.equal(2);
        const images = tf.randomUniform([2, ...imageSize(), 3], -1, 1, 'float32', 7) as tf.Tensor4D;
        try {
          await expectNoLeakAfterWarmUp(() => {
            const features = net.features(images);
            try {
              expect(features.length, 'one tensor per stage').to.equal(net.stageNames.length);
              for (const [i, f] of features.entries()) {
                expect(f.dtype, `${net.stageNames[i]} dtype`).to.equal('float32');
                expect(f.shape[0], `${net.stageNames[i]} batch`).to.equal(2);
                expectRange(f.dataSync(), -Infinity, Infinity, `stage ${net.stageNames[i]}`);
              }
            } finally {
              tf.dispose(features);
            }
          }, 'features');
        } finally {
          images.dispose();
        }
      });

      roleIt('loss', 'compute: a finite float32 scalar from images, renderings, textures and masks, leak-free', false, async () => {
        const loss = await role('loss');
        const [h, w] = imageSize();
        const inputs: LossInputs = {
          images: tf.randomUniform([2, h, w, 3], -1, 1, 'float32', 1) as tf.Tensor4D,
          renderings: tf.randomUniform([2, h, w, 3], -1, 1, 'float32', 2) as tf.Tensor4D,
          textures: tf.randomUniform([2, ...textureSize(), 3], -1, 1, 'float32', 3) as tf.Tensor4D,
          masks: tf.ones([2, h, w, 1]) as tf.Tensor4D,
        };
        try {
          await expectNoLeakAfterWarmUp(() => {
            const value = loss.compute(inputs);
            try {
              expect(value.rank, 'a scalar').to.equal(0);
              expect(value.dtype).to.equal('float32');
              expectRange(value.dataSync(), -Infinity, Infinity, 'loss');
            } finally {
              value.dispose();
            }
          }, 'loss.compute');
        } finally {
          tf.dispose([inputs.images, inputs.renderings, inputs.textures, inputs.masks]);
        }
      });
    });

    describe('the method: gradients, errors, memory', () => {
      before(() => setup());
      const chain: Role[] = ['meshPredictor', 'renderer', 'textureGenerator', 'loss'];
      const missing = chain.filter((r) => !provided(r));
      const gradTitle = 'the loss gradient reaches the texture and the generator weights through the rendering, finite and leak-free';
      if (missing.length > 0) it.skip(`${gradTitle} — needs ${missing.join(', ')}: ${notProvided(missing.join(', '))}`);
      else if (!canMakeData) it.skip(`${gradTitle} — ${noData}`);
      else
        it(gradTitle, async () => {
          const { aligned, image } = await fitFirst();
          const renderer = await role('renderer');
          const generator = await role('textureGenerator');
          const loss = await role('loss');
          const [h, w] = imageSize();
          const op = renderer.operator(renderer.rasterize(aligned.mesh, aligned.camera, h, w), textureSize(), sampling());
          try {
            await expectNoLeakAfterWarmUp(() => {
              const photo = image.expandDims(0) as tf.Tensor4D;
              const mask = tf.tensor4d(op.mask, [1, h, w, 1]);
              const objective = (texture: tf.Tensor4D): tf.Scalar => {
                const rendering = tf.add(tf.mul(op.apply(texture), mask), tf.mul(photo, tf.sub(1, mask))) as tf.Tensor4D;
                return loss.compute({ images: photo, renderings: rendering, textures: texture, masks: mask });
              };
              try {
                const texture = tf.tidy(() => generator.generate(photo, false));
                const grad = tf.grad((t: tf.Tensor) => objective(t as tf.Tensor4D))(texture);
                const g = grad.dataSync();
                tf.dispose([texture, grad]);
                expectRange(g, -Infinity, Infinity, 'd loss / d texture');
                expect(g.some((v) => v !== 0), 'd loss / d texture is not zero everywhere').to.equal(true);
                const { value, grads } = tf.variableGrads(() => objective(generator.generate(photo, true)), generator.trainableVariables());
                const nonZero = Object.values(grads).filter((t) => t.dataSync().some((v) => v !== 0)).length;
                const finite = Object.values(grads).every((t) => t.dataSync().every((v) => Number.isFinite(v)));
                tf.dispose([value, ...Object.values(grads)]);
                expect(finite, 'generator gradients are finite').to.equal(true);
                expect(nonZero, 'generator variables the loss reaches').to.be.greaterThan(0);
              } finally {
                tf.dispose([photo, mask]);
              }
            }, 'the gradient step');
          } finally {
            op.dispose();
          }
        });

      const predictorId = () => plugin.photo?.predictor ?? s.config.meshPredictor.type;
      const noSubjectTitle = `the mesh predictor (${plugin.photo ? "the photo subject's" : "the config's"}) refuses an image without the subject with a message, leak-free`;
      if (!provided('meshPredictor')) it.skip(`${noSubjectTitle} — ${notProvided('meshPredictor')}`);
      else
        it(noSubjectTitle, async () => {
          const meshPredictor = { type: predictorId(), ...(plugin.photo ? fixtures.photoPredictorOptions ?? {} : {}) };
          const { config: valid } = await loadConfig(s.registry, { category, cwd: s.dir, overrides: deepMerge(s.overrides, { meshPredictor }) });
          const predictor = await resolveRole(createRunContainer(s.registry, valid), 'meshPredictor');
          try {
            const size = imageSize();
            const blank = fixtures.blankImage?.(size) ?? tf.zeros([...size, 3]);
            try {
              let message: string | null = null;
              await expectNoTensorLeak(
                () => predictor.predict({ image: blank as tf.Tensor3D, id: 'blank.png' }).then(
                  (a) => expect.fail(`predicted a mesh on an image without the subject (camera ${a.camera.kind})`),
                  (e: Error) => (message = e.message),
                ),
                'a refused predict',
              );
              expect(message, 'an error message').to.be.a('string').and.not.equal('');
              expect(message!).to.match(fixtures.noSubjectMessage ?? defaultNoSubjectMessage(plugin.photo?.noun));
            } finally {
              blank.dispose();
            }
          } finally {
            predictor.dispose();
          }
        });

      const owners = ROLES.filter((r) => provided(r) && (r !== 'dataset' || canMakeData));
      it(`loading then disposing each role leaves no tensor behind (${owners.join(', ')})`, async () => {
        for (const p of s.loaded.values()) disposeRole(await p.catch(() => null));
        s.loaded.clear();
        s.container = null;
        if (fitted) (await fitted.catch(() => null))?.image.dispose();
        fitted = null;
        const leaks: string[] = [];
        for (const r of owners) {
          const before = tf.memory().numTensors;
          disposeRole(await resolveRole(createRunContainer(s.registry, s.config), r));
          const left = tf.memory().numTensors - before;
          if (left !== 0) leaks.push(`${r} '${s.config[r].type}': ${left} tensors`);
        }
        expect(leaks, 'roles whose dispose() leaves tensors').to.deep.equal([]);
      });
    });

    describe('optional extensions (what run, train, compare, synth and bench use)', () => {
      before(() => setup());
      const optional = <K extends keyof CategoryPlugin>(key: K, title: string, fn: (value: NonNullable<CategoryPlugin[K]>) => Promise<void> | void) => {
        const value = plugin[key];
        if (value == null) return it.skip(notProvided(`${String(key)} (${title})`));
        return it(`${String(key)}: ${title}`, () => fn(value as NonNullable<CategoryPlugin[K]>));
      };

      optional('synth', 'writes the tiny set with a consistent summary, and a rerun completes it without rewriting', async (synth) => {
        expect(synth.description).to.be.a('string').and.not.equal('');
        expect(synth.defaults.subjects).to.be.greaterThan(0);
        expect(synth.defaults.size.length).to.equal(2);
        if (fixtures.makeData) return; // the spec makes its own data; the writer's run is left to the plugin's specs
        const o = fixtures.synth ?? {};
        const summary = await synth.run({ out: s.data!, subjects: o.subjects ?? 2, imagesPerSubject: o.imagesPerSubject ?? 2, size: o.size, seed: 0 });
        expect(summary.written, 'images rewritten by a rerun').to.equal(0);
        expect(summary.images).to.equal(summary.subjects * (o.imagesPerSubject ?? 2));
        expect(Object.values(summary.splits).reduce((a, b) => a + b, 0), 'splits add up').to.equal(summary.images);
        expect(summary.layout).to.be.a('string').and.not.equal('');
      });

      optional('photo', "names a mesh predictor that exists, a fill in [-1,1], and frames a box at the crop's aspect ratio", (photo) => {
        expect(photo.noun).to.be.a('string').and.not.equal('');
        expect(staticRegistry.implementations(plugin, 'meshPredictor').map((e) => e.id), 'photo.predictor').to.include(photo.predictor);
        expect(photo.fill).to.be.within(-1, 1);
        const size = imageSize();
        const window = photo.frame([100, 80, 60, 120], size, [400, 300]);
        expect(window.width / window.height, 'aspect ratio').to.be.closeTo(size[1] / size[0], 1e-3);
        expect(window.x).to.be.at.most(100);
        expect(window.y).to.be.at.most(80);
        expect(window.x + window.width).to.be.at.least(160);
        expect(window.y + window.height).to.be.at.least(200);
      });

      optional('templateMesh', 'the mesh at rest is a valid mesh', async (templateMesh) => {
        expectValidMesh(await templateMesh.call(plugin, s.config), 'templateMesh');
      });

      optional('textureSymmetry', 'mirror: int32 [Th*Tw] in [-1, Th*Tw); parts: labels in [-1, names)', async (symmetry) => {
        const [th, tw] = textureSize();
        const mirror = await symmetry.mirror(s.config, [th, tw]);
        expect(mirror.length).to.equal(th * tw);
        expectIndices(mirror, -1, th * tw, 'mirror');
        expect(mirror.some((m) => m >= 0), 'some texel has a mirror image').to.equal(true);
        const parts = await symmetry.parts(s.config, [th, tw]);
        expect(parts.names.length).to.be.greaterThan(0);
        expect(parts.labels.length).to.equal(th * tw);
        expectIndices(parts.labels, -1, parts.names.length, 'parts.labels');
      });

      optional('textureRegions', 'masks in {0,1} of [Th*Tw], reference textures in [-1,1], unknown regions refused', async (regions) => {
        const size = textureSize();
        expect(regions.names.length).to.be.greaterThan(0);
        for (const r of regions.defaultRegions) expect(regions.names).to.include(r);
        const mask = await regions.mask(s.config, regions.defaultRegions, size);
        expect(mask.length).to.equal(size[0] * size[1]);
        expect(mask.every((v) => v === 0 || v === 1), 'mask in {0,1}').to.equal(true);
        expect(mask.some((v) => v === 1), 'the default regions cover some texels').to.equal(true);
        let message = '';
        await regions.mask(s.config, ['no-such-region'], size).catch((e: Error) => (message = e.message));
        expect(message, 'names the known regions').to.include(regions.names[0]);
        const references = await regions.referenceTextures(s.config, size);
        expect(references.length).to.be.greaterThan(0);
        for (const t of references) {
          expect(t.length).to.equal(size[0] * size[1] * 3);
          expectRange(t, -1, 1, 'reference texture');
        }
      });

      optional('identityNetworks', "recipes for retex train-identity; shipped weights exist where named", (recipes) => {
        expect(Object.keys(recipes).length).to.be.greaterThan(0);
        for (const [arch, recipe] of Object.entries(recipes)) {
          expect(recipe.description, arch).to.be.a('string').and.not.equal('');
          expect(recipe.train.steps, `${arch} train.steps`).to.be.greaterThan(0);
          if (recipe.weights != null) {
            expect(path.isAbsolute(recipe.weights), `${arch} weights path is absolute`).to.equal(true);
            expect(fs.existsSync(recipe.weights), `${arch} weights ${recipe.weights} exist (else: ${recipe.reproduce ?? 'no reproduce command'})`).to.equal(true);
          }
        }
      });

      optional('generator', 'the shipped generator folder exists (the default of retex run and eval-generator)', (generator) => {
        expect(generator.reproduce).to.be.a('string').and.not.equal('');
        expect(path.isAbsolute(generator.weights)).to.equal(true);
        expect(fs.existsSync(path.join(generator.weights, 'generator.json')), `${generator.weights}/generator.json (else: ${generator.reproduce})`).to.equal(true);
      });

      optional('benchmarks', 'each benchmark has a description and a run function (retex bench <name> --category)', (benchmarks) => {
        for (const [name, b] of Object.entries(benchmarks)) {
          expect(name).to.match(/^[a-z][a-z0-9-]*$/);
          expect(b.description, name).to.be.a('string').and.not.equal('');
          expect(b.run, name).to.be.a('function');
        }
      });
    });

    describe('commands: retex prepare, train and run on the tiny set (the built binary)', () => {
      const needs: string[] = [];
      if (fixtures.smoke === false) needs.push('left out by the spec');
      if (!canMakeData) needs.push(noData);
      for (const r of ['dataset', 'meshPredictor'] as const) if (!provided(r)) needs.push(notProvided(r));
      const title = '`retex prepare`, `retex train --steps 1` and `retex run --model <that>` on a photo of the set succeed';
      if (needs.length > 0) return void it.skip(`${title} — ${needs.join('; ')}`);
      before(() => setup());
      it(title, async () => {
        const data = s.data!;
        const ids = staticRegistry.implementations(plugin, 'meshPredictor').map((e) => e.id);
        const predictor = fixtures.preparePredictor ?? (ids.includes('ground-truth') ? 'ground-truth' : undefined);
        const common = ['--category', category, '--no-progress'];
        const prepare = runRetex(['prepare', ...common, '--data', data, '--workers', '1', '--json', ...(predictor ? ['--predictor', predictor] : [])], s.dir);
        expect(prepare.status, `retex prepare: ${prepare.stderr}`).to.equal(0);
        const prepared = JSON.parse(prepare.stdout);
        expect(prepared.prepared, 'images prepared').to.be.greaterThan(0);
        const run = path.join(s.dir, 'run');
        const train = runRetex(
          ['train', ...common, '--data', data, '--out', run, '--steps', '1', '--batch', '1x2', '--width', '0.0625', '--workers', '1', '--validation-identities', '1', '--json'],
          s.dir,
        );
        expect(train.status, `retex train: ${train.stderr}`).to.equal(0);
        expect(fs.existsSync(path.join(run, 'model', 'generator.json')), 'the trained model').to.equal(true);
        if (fixtures.runArgs === false) return;
        const photo =
          typeof fixtures.photo === 'string'
            ? fixtures.photo
            : fixtures.photo
              ? await fixtures.photo(s.dir)
              : (await firstSample()).sample.imagePath;
        const extra = [...(fixtures.runArgs ?? [])];
        if (fixtures.runConfig) {
          const file = path.join(s.dir, 'run-config.json');
          fs.writeFileSync(file, JSON.stringify(fixtures.runConfig));
          extra.push('--config', file);
        }
        const out = path.join(s.dir, 'photo-run');
        const result = runRetex(['run', ...common, '--image', photo, '--model', path.join(run, 'model'), '-o', out, '--json', ...extra], s.dir);
        expect(result.status, `retex run: ${result.stderr}`).to.equal(0);
        expect(JSON.parse(result.stdout).status).to.equal('done');
        for (const f of ['texture.png', 'model.glb', 'run.json']) expect(fs.existsSync(path.join(out, f)), f).to.equal(true);
      });
    });
  });
}
