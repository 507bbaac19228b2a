import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FileError, makeFoldersSync } from './file-guard';

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
  try {
    makeFoldersSync(dir);
  } catch (err) {
    throw wrapWriteError(target, err, dir);
  }
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
  try {
    makeFoldersSync(dir);
  } catch (err) {
    throw wrapWriteError(target, err, dir);
  }
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

function wrapWriteError(target: string, err: unknown, folder?: string): Error {
  const e = err as NodeJS.ErrnoException;
  const action = folder !== undefined ? `create the folder ${folder} for` : 'write';
  const hint =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'no permission: choose a writable output path'
      : e.code === 'EROFS'
        ? 'the file system is read-only: choose a writable output path'
        : e.code === 'ENOSPC' || e.code === 'EDQUOT'
          ? 'disk full: free space or choose another output path'
          : e.code === 'EISDIR'
            ? 'the target is a folder: give a file path'
            : e.code === 'ENOTDIR'
              ? 'a part of the path is a file, not a folder: check the path'
              : e.code === 'ENOENT'
                ? folder !== undefined
                  ? 'a part of the path cannot be created (a read-only or missing mount?): choose a writable output path'
                  : 'its folder vanished while writing: check the path'
                : (e.message ?? String(err)).replace(/^[A-Z]+: /, '');
  const wrapped = new FileError(
    e.code === 'EROFS' ? 'read-only' : e.code === 'EISDIR' ? 'is-directory' : e.code === 'ENOTDIR' ? 'not-directory' : e.code === 'ENOSPC' ? 'disk-full' : e.code === 'EACCES' || e.code === 'EPERM' ? 'no-permission' : 'other',
    `cannot ${action} ${target}: ${hint}`,
    target,
    { cause: err },
  );
  (wrapped as unknown as NodeJS.ErrnoException).code = e.code;
  return wrapped;
}

/**
 * Writes several files as one step as far as a file system allows: every file goes to its temp file first,
 * and only when all are written are they renamed into place, so a failure (a folder in the way, a full disk)
 * leaves none of them half-written and no stray temp files.
 */
export async function writeFilesAtomic(files: readonly { target: string; data: string | Uint8Array }[]): Promise<void> {
  const temps: { tmp: string; target: string }[] = [];
  try {
    for (const f of files) {
      const dir = path.dirname(path.resolve(f.target));
      try {
        makeFoldersSync(dir);
      } catch (err) {
        throw wrapWriteError(f.target, err, dir);
      }
      const tmp = tempPathFor(path.resolve(f.target));
      temps.push({ tmp, target: f.target });
      try {
        const handle = await fs.promises.open(tmp, 'wx');
        try {
          await handle.writeFile(f.data);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (err) {
        throw wrapWriteError(f.target, err);
      }
    }
    for (const t of temps) {
      try {
        await fs.promises.rename(t.tmp, t.target);
      } catch (err) {
        throw wrapWriteError(t.target, err);
      }
    }
  } catch (err) {
    for (const t of temps) await fs.promises.rm(t.tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  for (const dir of new Set(files.map((f) => path.dirname(path.resolve(f.target))))) await syncDirectory(dir);
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
