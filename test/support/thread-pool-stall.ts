import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Holds every thread of libuv's thread pool until release(), so that work queued there (Argon2id
 * hashing, RS256 signing) waits while the main thread (SQLite, AES-GCM, HTTP on loopback) goes
 * on. Each thread is held by an open() of a FIFO, which blocks until the FIFO has a writer;
 * release() opens it read-write, which ends every pending open() and any still queued. Linux and
 * macOS (mkfifo); the test process must not hold the pool itself while it is stalled.
 */
export class ThreadPoolStall {
  private readonly directory = mkdtempSync(join(tmpdir(), 'meridian-stall-'));
  private readonly fifo = join(this.directory, 'hold');
  private holders: Array<Promise<FileHandle>> = [];

  constructor() {
    execFileSync('mkfifo', [this.fifo]);
  }

  /** Synchronous, so that it can run at an exact point (as a store transaction begins). */
  hold(): void {
    // The pool has UV_THREADPOOL_SIZE threads (4 unless set); more opens than threads only queue.
    const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    for (let index = 0; index < threads; index += 1) this.holders.push(open(this.fifo, 'r'));
  }

  async release(): Promise<void> {
    const writer = openSync(this.fifo, constants.O_RDWR);
    try {
      for (const handle of await Promise.all(this.holders)) await handle.close();
    } finally {
      closeSync(writer);
      this.holders = [];
      rmSync(this.directory, { recursive: true, force: true });
    }
  }
}
