import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Name of a temporary file beside `target`: same directory (so rename is atomic on one file system),
 * hidden, and unique per call so concurrent writers of the same target never share a temp file.
 */
function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` to `target` so that readers see either the old file or the complete new one, never a
 * partial write: the bytes go to a temp file in the same directory, are fsynced, then renamed over
 * `target`. Creates missing parent directories. On failure the temp file is removed and the error
 * rethrown with the target path in its message.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(target));
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = tempPathFor(path.resolve(target));
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, target);
  } catch (err) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw wrapWriteError(target, err);
  }
  await syncDirectory(dir);
}

/** Synchronous twin of {@link writeFileAtomic}, for exit paths and small files. */
export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(target));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = tempPathFor(path.resolve(target));
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx');
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the original error is the one worth reporting
      }
    }
    fs.rmSync(tmp, { force: true });
    throw wrapWriteError(target, err);
  }
  syncDirectorySync(dir);
}

function wrapWriteError(target: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const hint =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? ' (no permission: choose a writable output path)'
      : e.code === 'ENOSPC'
        ? ' (disk full: free space or choose another output path)'
        : e.code === 'EISDIR'
          ? ' (the target is a directory: give a file path)'
          : '';
  const wrapped = new Error(`cannot write ${target}: ${e.message}${hint}`);
  (wrapped as NodeJS.ErrnoException).code = e.code;
  (wrapped as Error & { cause?: unknown }).cause = err;
  return wrapped;
}

/** Makes the rename durable; some platforms (Windows) cannot open directories, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort only
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function syncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort only
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
