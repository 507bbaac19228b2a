import * as fs from 'fs';
import { unzipSync, zipSync } from 'fflate';
import type { HostTensor } from './host-tensor';
import { ModelFileError } from './model-file-error';
import { encodeNpy, NpyError, parseNpy, type NpyArray, type NpyDtype } from './npy';

/** True when the bytes start like a zip archive (an .npz, but also a PyTorch >= 1.6 .pth). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

/**
 * Member names of a zip that mark a PyTorch checkpoint saved by `torch.save` (>= 1.6 writes a zip with
 * `<name>/data.pkl`), which retex cannot unpickle.
 */
function isTorchZip(names: readonly string[]): boolean {
  return names.some((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
}

/** Thrown for a PyTorch checkpoint given where retex wants safetensors or npz. */
export function torchCheckpointError(file: string): ModelFileError {
  return new ModelFileError(
    'unsupported',
    `${file} is a PyTorch checkpoint (torch.save pickle), which retex cannot read directly: convert it where ` +
      `PyTorch is installed with \`python3 scripts/torch-to-safetensors.py ${file} out.safetensors\`, then import that file`,
    file,
  );
}

/**
 * Parses an .npz (numpy.savez / savez_compressed) held in memory: one array per `<name>.npy` member.
 * @param file the file's name, for messages
 * @throws ModelFileError naming the file (and the array) for a damaged zip, a PyTorch zip, or a bad array
 */
export function parseNpz(bytes: Uint8Array, file: string): Map<string, NpyArray> {
  if (!looksLikeZip(bytes)) throw new ModelFileError('malformed', `${file} is not an .npz file (not a zip archive)`, file);
  const names: string[] = [];
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        return f.name.endsWith('.npy');
      },
    });
  } catch (err) {
    throw new ModelFileError('malformed', `${file} is not a readable .npz file (${(err as Error).message}): it is truncated or damaged`, file, { cause: err });
  }
  if (isTorchZip(names)) throw torchCheckpointError(file);
  const arrays = new Map<string, NpyArray>();
  for (const [member, data] of Object.entries(members)) {
    const name = member.slice(0, -'.npy'.length);
    try {
      arrays.set(name, parseNpy(data, name));
    } catch (err) {
      if (err instanceof NpyError) throw new ModelFileError('malformed', `${file}: ${err.message}`, file, { cause: err });
      throw err;
    }
  }
  if (arrays.size === 0 && names.length > 0) {
    throw new ModelFileError('malformed', `${file} is a zip archive without .npy members (it holds ${names.slice(0, 5).join(', ')}): not an .npz file`, file);
  }
  return arrays;
}

/** Parses an .npz and narrows every array to float32 (see {@link HostTensor}). */
export function parseNpzTensors(bytes: Uint8Array, file: string): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, a] of parseNpz(bytes, file)) out.set(name, { shape: a.shape, values: Float32Array.from(a.values), dtype: a.dtype });
  return out;
}

/** Reads an .npz file; see {@link parseNpz}. */
export async function readNpz(file: string): Promise<Map<string, NpyArray>> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw new ModelFileError('not-found', `cannot read ${file}: ${(err as Error).message}`, file, { cause: err });
  }
  return parseNpz(bytes, file);
}

/** Encodes arrays as an uncompressed .npz (what numpy.savez writes), for specs and fixtures. */
export function encodeNpz(arrays: ReadonlyArray<{ name: string; shape: readonly number[]; values: ArrayLike<number>; dtype?: NpyDtype }>): Uint8Array {
  const members: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const a of arrays) members[`${a.name}.npy`] = [encodeNpy(a.values, a.shape, a.dtype ?? '<f4'), { level: 0 }];
  return zipSync(members);
}
