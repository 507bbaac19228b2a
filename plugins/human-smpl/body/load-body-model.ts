import { BodyModel } from './body-model';
import { builtinBodyData } from '../builtin-body/builtin-body';
import { loadSmplFiles } from '../io/smpl-files';

/** Plugin options that choose the body (`pluginOptions` of the human config). */
export interface BodyModelOptions {
  /** `builtin` (default) or the path of a licensed SMPL export (.npz or .json). */
  readonly bodyModel?: string;
  /** For a licensed SMPL file: the OBJ with its UV layout (`vt` + `f v/vt`). */
  readonly bodyUvLayout?: string;
}

/** The value of `bodyModel` that selects retex's open built-in body. */
export const BUILTIN_BODY = 'builtin';

/**
 * Builds the body model the options name. The caller owns it (call `dispose()`).
 * @throws when a licensed SMPL file is named without its UV layout, or the files are malformed
 */
export async function loadBodyModel(options: BodyModelOptions): Promise<BodyModel> {
  const which = options.bodyModel ?? BUILTIN_BODY;
  if (which === BUILTIN_BODY) return BodyModel.create(builtinBodyData());
  if (!options.bodyUvLayout) {
    throw new Error(
      `pluginOptions.bodyModel is '${which}' but pluginOptions.bodyUvLayout is not set: an SMPL export carries no ` +
        "UV layout; point bodyUvLayout at the SMPL UV .obj (with 'vt' and 'f v/vt' lines), or use bodyModel 'builtin'",
    );
  }
  return BodyModel.create(await loadSmplFiles(which, options.bodyUvLayout));
}
