/** Bittensor's version int: major*1e6 + minor*1e3 + patch ("10.2.0" -> 10002000). */
export function versionAsInt(version: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return 0;
  return Number(m[1]) * 1_000_000 + Number(m[2]) * 1_000 + Number(m[3]);
}
