/** Samples of every figure a bench run measured, by key (one sample per repetition). */
export class Measurements {
  private readonly samples = new Map<string, number[]>();
  private readonly failures: string[] = [];

  /** Records one sample of `key`. */
  add(key: string, value: number): void {
    this.samples.set(key, [...(this.samples.get(key) ?? []), value]);
  }

  /** The samples of `key` (empty when the scenario did not run). */
  get(key: string): readonly number[] {
    return this.samples.get(key) ?? [];
  }

  /** Records a correctness check; a false one makes the run fail. */
  check(what: string, ok: boolean, detail = ''): void {
    if (!ok) this.failures.push(detail ? `${what}: ${detail}` : what);
  }

  /** Every correctness check that failed. */
  get problems(): readonly string[] {
    return this.failures;
  }
}
