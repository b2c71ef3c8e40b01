/**
 * Told, in the process that committed it, that a pool's change log now ends at `lastSequence`.
 * Called synchronously right after COMMIT, so it must be quick and must not throw (what it throws
 * is dropped: the commit has happened and its caller must still hear so).
 */
export type CommitListener = (poolId: string, lastSequence: number) => void;

/** The listeners of one store; both backends announce their change-log commits through one of these. */
export class CommitListeners {
  private readonly listeners = new Set<CommitListener>();

  add(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  announce(poolId: string, lastSequence: number): void {
    for (const listener of this.listeners) {
      try {
        listener(poolId, lastSequence);
      } catch {
        // A listener's failure is its own; the committed write is not undone by it.
      }
    }
  }
}
