import { accessSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Files the user names: read and written with errors that say which file and what is wrong
 * (missing, a directory, not writable), never a stack trace; writes are atomic and leave
 * nothing behind when they fail.
 */

/** A problem with a file the user named; `fiberc` prints the message and exits 1. */
export class FileError extends Error {
  override readonly name = 'FileError';
}

/** Reads a whole file named by `what` (e.g. `--inputs`), or throws a FileError saying why not. */
export function readUserFile(path: string, what: string): Buffer {
  if (path === '') throw new FileError(`${what}: the path is empty`);
  if (!existsSync(path)) throw new FileError(`${what} ${path}: no such file`);
  if (statSync(path).isDirectory()) throw new FileError(`${what} ${path}: is a directory, not a file`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FileError(`${what} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Checks, before any work, that a file can be written at `path`: not empty, not an existing
 * directory, in an existing directory this process may write to.
 */
export function checkWritableFile(path: string, what: string): void {
  if (path === '') throw new FileError(`${what}: the path is empty`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new FileError(`${what} ${path}: is a directory; give a file name`);
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new FileError(`${what} ${path}: the folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new FileError(`${what} ${path}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new FileError(`${what} ${path}: the folder ${dir} is not writable`);
  }
}

/**
 * Creates folder `dir` (and missing parents) one level at a time, so a place where a folder
 * cannot be made (under /proc, below a file) fails at once with a clear message instead of
 * Node's recursive mkdir retrying.
 */
export function ensureFolder(dir: string, what: string): void {
  if (dir === '') throw new FileError(`${what}: the path is empty`);
  const full = resolve(dir);
  const missing: string[] = [];
  let at = full;
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (!statSync(at).isDirectory()) throw new FileError(`${what} ${dir}: ${at} is a file, not a folder`);
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      throw new FileError(`${what} ${dir}: cannot create the folder ${m} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  try {
    accessSync(full, constants.W_OK);
  } catch {
    throw new FileError(`${what} ${dir}: the folder is not writable`);
  }
}

/**
 * Writes a file atomically: a temporary file beside it, fsync, rename. On any failure the
 * temporary file is removed and a FileError names the destination.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, what = 'writing'): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new FileError(`${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Bytes handed to one write call: Node refuses a single write of 2 GiB or more
 * (ERR_OUT_OF_RANGE; a 40,000-image corpus export is 1.99 GB, 80,000 failed).
 */
const WRITE_CHUNK = 1 << 30;

/**
 * Writes all of `data` to `fd` in calls of at most `chunk` bytes, continuing after short writes
 * (a write may take fewer bytes than asked).
 */
export function writeAll(fd: number, data: Uint8Array, chunk = WRITE_CHUNK): void {
  for (let at = 0; at < data.byteLength;) {
    at += writeSync(fd, data, at, Math.min(chunk, data.byteLength - at));
  }
}
