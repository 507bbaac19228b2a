import * as fs from 'fs';
import * as path from 'path';
import type { HostTensor } from './host-tensor';
import { ModelFileError } from './model-file-error';
import { looksLikeZip, parseNpzTensors, torchCheckpointError } from './npz';
import { parseSafetensors } from './safetensors';

/** File formats of named tensors retex reads without Python. */
export type TensorArchiveFormat = 'safetensors' | 'npz';

/** Named float32 tensors read from one file. */
export interface TensorArchive {
  readonly file: string;
  readonly format: TensorArchiveFormat;
  readonly tensors: Map<string, HostTensor>;
}

/** A pickle stream starts with the PROTO opcode (0x80) and a protocol number (legacy torch.save, .pkl). */
function looksLikePickle(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
}

/**
 * Reads a `.safetensors` or `.npz` file of named tensors, deciding by its first bytes (a zip is an npz,
 * anything else is tried as safetensors), so a misnamed file still reads. PyTorch pickles (`.pth`,
 * `.pth.tar`, `.pt`) are recognised and refused with the command that converts them.
 * @throws ModelFileError naming the file
 */
export async function readTensorArchive(file: string): Promise<TensorArchive> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'it does not exist' : e.code === 'EISDIR' ? 'it is a directory: give the checkpoint file' : e.message;
    throw new ModelFileError('not-found', `cannot read ${file}: ${why}`, file, { cause: err });
  }
  if (looksLikeZip(bytes)) return { file, format: 'npz', tensors: parseNpzTensors(bytes, file) };
  if (looksLikePickle(bytes)) throw torchCheckpointError(file);
  if (bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46) {
    throw new ModelFileError('unsupported', `${file} is an HDF5 file (Keras); retex reads .safetensors or .npz checkpoints`, file);
  }
  const ext = path.extname(file).toLowerCase();
  try {
    return { file, format: 'safetensors', tensors: parseSafetensors(bytes, file).tensors };
  } catch (err) {
    if (err instanceof ModelFileError && ext !== '.safetensors' && err.kind === 'malformed') {
      throw new ModelFileError(
        'unsupported',
        `${file} is neither an .npz (zip) nor a valid .safetensors file (${err.message}); retex reads those two formats`,
        file,
        { cause: err },
      );
    }
    throw err;
  }
}
