import * as path from 'path';
import { describeBackend, initBackend } from '../backend/backend';
import type { IdentityNetwork } from '../interfaces/identity-network';
import type { TextureGenerator } from '../interfaces/texture-generator';
import { WeightedLoss } from '../losses/weighted-loss';
import { UNet } from '../nn/unet';
import type { RetexConfig } from '../plugin/config-types';
import type { SubjectDetector } from '../plugin/photo-subject';
import type { PhotoRunnerParts } from '../run/photo-runner';
import type { TextureMethod } from '../run/texture-methods';
import { readsProjection } from '../run/generator-input';
import { shippedGeneratorFolder } from './commands/eval-generator';
import { note } from './output';
import type { CliServices } from './services';

/** What the user chose that decides which parts a run loads. */
export interface RunPartsRequest {
  readonly category: string;
  /** The texture method; none loads no texture maker (`retex mesh`); `all` loads what every method needs. */
  readonly method?: TextureMethod | 'all';
  /** Where `optimize` starts (default project). */
  readonly start?: 'generator' | 'project';
  /** A generator folder (`<run>/model` of retex train); default the shipped one. */
  readonly model?: string;
  /** A mesh predictor id instead of the category's photo predictor. */
  readonly predictor?: string;
  readonly config?: string;
  readonly backend?: string;
  /** Load CosSim's re-ID network for the figures (default true). */
  readonly cossim?: boolean;
  /** Print the backend line (default true). */
  readonly quiet?: boolean;
}

/** Loaded parts and a dispose for all of them. */
export interface RunParts extends PhotoRunnerParts {
  dispose(): void;
}

/** A detector loaded when first asked to detect. */
function lazyDetector(load: () => Promise<SubjectDetector>): SubjectDetector {
  let loaded: Promise<SubjectDetector> | undefined;
  return {
    detect: async (image) => (await (loaded ??= load())).detect(image),
    dispose: () => void loaded?.then((d) => d.dispose(), () => undefined),
  };
}

/** The run's config: the category's config with its photo predictor (or the one asked for). */
export async function runConfig(services: CliServices, r: Pick<RunPartsRequest, 'category' | 'predictor' | 'config' | 'backend'>): Promise<RetexConfig> {
  const subject = services.photoSubject(r.category);
  const overrides: Record<string, unknown> = { meshPredictor: { type: r.predictor ?? subject.predictor } };
  if (r.backend) overrides.backend = r.backend;
  return (await services.loadConfig({ category: r.category, configPath: r.config, overrides })).config;
}

/**
 * Loads what `retex run` needs for a method: the subject detector, the photo predictor, the renderer,
 * the generator (shipped or --model), the loss (optimize), the texture symmetry (project) and the re-ID
 * network of CosSim.
 */
export async function loadRunParts(services: CliServices, r: RunPartsRequest): Promise<RunParts> {
  const config = await runConfig(services, r);
  const backend = await initBackend(config.backend);
  if (!r.quiet) note(describeBackend(backend));
  const subject = services.photoSubject(config.category);
  const owned: { dispose(): void }[] = [];
  try {
    const all = r.method === 'all';
    const needsGenerator = all || r.method === 'generator' || (r.method === 'optimize' && r.start === 'generator');
    let generator: TextureGenerator | undefined;
    if (needsGenerator) {
      generator = await UNet.load(path.resolve(r.model ?? shippedGeneratorFolder(services, config.category)));
      owned.push(generator);
    }
    // A generator that reads projections starts from the project method's texture.
    const needsSymmetry =
      all || r.method === 'project' || (r.method === 'optimize' && (r.start ?? 'project') === 'project') || (generator != null && readsProjection(generator));
    const imageSize = generator != null && !readsProjection(generator) ? generator.inputSize : ([config.image.height, config.image.width] as const);
    const textureSize = generator?.textureSize ?? ([config.texture.height, config.texture.width] as const);
    const sized = { ...config, image: { height: imageSize[0], width: imageSize[1] }, texture: { height: textureSize[0], width: textureSize[1] } };
    // Loaded on first use: a photo that is already a framed crop never needs it.
    const detector = lazyDetector(() => subject.loadDetector(sized));
    owned.push(detector);
    const predictor = await services.loadRole(sized, 'meshPredictor');
    owned.push(predictor);
    const renderer = await services.loadRole(sized, 'renderer');
    let loss: WeightedLoss | undefined;
    if (all || r.method === 'optimize') {
      const l = await services.loadRole(sized, 'loss');
      owned.push(l);
      if (!(l instanceof WeightedLoss)) throw new Error(`optimize needs the 'weighted' loss; the config's loss is '${l.id}'`);
      loss = l;
    }
    let cossim: IdentityNetwork | undefined;
    const reid = loss?.term('reid') as { network?: IdentityNetwork } | undefined;
    if (reid?.network != null) cossim = reid.network;
    else if (r.cossim !== false) {
      try {
        cossim = await services.loadRole(sized, 'identityNetwork');
        owned.push(cossim);
      } catch (err) {
        note(`CosSim is left out: ${(err as Error).message}`);
      }
    }
    const symmetry = needsSymmetry ? services.textureSymmetry(config.category) : null;
    if (needsSymmetry && symmetry == null) throw new Error(`the '${config.category}' plugin gives no texture symmetry: the project method cannot fill unseen texels`);
    const sampling = (config.renderer as { sampling?: 'nearest' | 'bilinear' }).sampling ?? 'nearest';
    return {
      config: sized,
      subject,
      detector,
      predictor,
      renderer,
      generator,
      loss,
      symmetry: symmetry ?? undefined,
      networks: { cossim },
      imageSize,
      textureSize,
      sampling,
      dispose: () => owned.forEach((o) => o.dispose()),
    };
  } catch (err) {
    owned.forEach((o) => o.dispose());
    throw err;
  }
}
