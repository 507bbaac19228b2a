import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { describeFsError, FileError, resolveInside } from '../io/file-guard';
import { readPixels } from '../io/image-decode';

/** The user's input folders of a synth run, checked and fingerprinted before anything is written. */
export interface SynthInputFolders {
  /** Background photos (`--backgrounds`). */
  readonly backgrounds?: string;
  /** UV textures (`--textures`). */
  readonly textures?: string;
}

/** Photo names the background reader takes (as BackgroundPhotos lists them). */
export const BACKGROUND_PHOTO_EXT = /\.(jpe?g|png|webp)$/i;
/** Texture names the texture reader takes. */
export const TEXTURE_EXT = /\.(png|jpe?g)$/i;

/** `name -> sha256` of every input file: what a rerun must find unchanged to complete a folder. */
export type InputFingerprints = Record<string, Record<string, string>>;

function listFolder(folder: string, flag: string, ext: RegExp, kinds: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (err) {
    throw describeFsError(err, folder, `open ${flag}`);
  }
  if (!stat.isDirectory()) throw new FileError('not-directory', `${flag} '${folder}' is not a folder: give a folder of ${kinds}`, folder);
  return fs.readdirSync(folder).filter((n) => ext.test(n)).sort();
}

/**
 * Decodes every input image once (so a damaged photo or texture fails now, naming the file, instead of
 * after an hour of work with the folder's plan already written) and hashes its bytes.
 * Files must resolve inside their folder (a symlink out is refused).
 * @throws ImageError or FileError naming the first bad file
 */
export async function checkSynthInputs(inputs: SynthInputFolders): Promise<InputFingerprints> {
  const out: InputFingerprints = {};
  const folders: [keyof SynthInputFolders, RegExp, string][] = [
    ['backgrounds', BACKGROUND_PHOTO_EXT, 'background photos (JPEG, PNG or WebP)'],
    ['textures', TEXTURE_EXT, 'UV texture images (PNG or JPEG), one identity per file'],
  ];
  for (const [key, ext, kinds] of folders) {
    const folder = inputs[key];
    if (folder === undefined) continue;
    const flag = `--${key}`;
    const names = listFolder(folder, flag, ext, kinds);
    if (names.length === 0) throw new FileError('not-found', `${flag} '${folder}' holds no ${kinds}`, folder);
    const hashes: Record<string, string> = {};
    for (const name of names) {
      const file = resolveInside(folder, name, `${flag} file`);
      let bytes: Buffer;
      try {
        bytes = await fs.promises.readFile(file);
      } catch (err) {
        throw describeFsError(err, path.join(folder, name), 'read');
      }
      // A small decode reads the whole stream (truncation, bad data) without holding a big bitmap.
      await readPixels(path.join(folder, name), { size: [16, 16] });
      hashes[name] = createHash('sha256').update(bytes).digest('hex');
    }
    out[key] = hashes;
  }
  return out;
}
