import koffi from 'koffi';

/**
 * Runs `work` with the process's file descriptor 2 pointed at /dev/null. Native libraries
 * (Dawn) print warnings straight to fd 2, past Node's streams: requesting lavapipe's adapter
 * prints two lines about dynamic buffer limits on every command, noise to a user. Falls back
 * to running `work` as is where libc cannot be bound.
 */
export async function withNativeStderrSilenced<T>(work: () => Promise<T>): Promise<T> {
  const c = libc();
  if (!c) return work();
  const saved = c.dup(2);
  const devNull = c.open('/dev/null', 1 /* O_WRONLY */);
  if (saved < 0 || devNull < 0) {
    if (saved >= 0) c.close(saved);
    return work();
  }
  c.dup2(devNull, 2);
  c.close(devNull);
  try {
    return await work();
  } finally {
    c.dup2(saved, 2);
    c.close(saved);
  }
}

interface Libc {
  dup(fd: number): number;
  dup2(from: number, to: number): number;
  open(path: string, flags: number): number;
  close(fd: number): number;
}

let bound: Libc | null | undefined;

function libc(): Libc | null {
  if (bound !== undefined) return bound;
  try {
    const lib = koffi.load('libc.so.6');
    bound = {
      dup: lib.func('int dup(int)') as Libc['dup'],
      dup2: lib.func('int dup2(int, int)') as Libc['dup2'],
      open: lib.func('int open(const char *, int)') as Libc['open'],
      close: lib.func('int close(int)') as Libc['close'],
    };
  } catch {
    bound = null;
  }
  return bound;
}
