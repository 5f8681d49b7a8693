/**
 * The CPU cores that CPU lanes and the solo session share, as tokens: a lane's run holds one, a
 * solo run holds them all. onnxruntime's intra-op threads wait for their slowest peer at every
 * parallel section, so a run whose thread was preempted by another run's thread loses far more
 * than that thread's share; no more threads run than there are tokens.
 */
export class CoreShare {
  private free: number;
  private readonly waiting: { n: number; go: () => void }[] = [];

  constructor(readonly cores: number) {
    this.free = cores;
  }

  /** Nothing holds a core and nothing waits for one. */
  idle(): boolean {
    return this.free === this.cores && this.waiting.length === 0;
  }

  /**
   * Resolves once `n` cores (at most all of them) are held, first come first served so a run
   * that wants every core is not starved by single-core runs; returns their release.
   */
  async take(n: number): Promise<() => void> {
    const want = Math.min(Math.max(1, n), this.cores);
    if (this.waiting.length === 0 && this.free >= want) this.free -= want;
    else await new Promise<void>((go) => this.waiting.push({ n: want, go }));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.free += want;
      this.wake();
    };
  }

  private wake(): void {
    for (let w = this.waiting[0]; w !== undefined && this.free >= w.n; w = this.waiting[0]) {
      this.waiting.shift();
      this.free -= w.n;
      w.go();
    }
  }
}
