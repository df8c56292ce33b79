import os from 'node:os';
import path from 'node:path';

/**
 * Where tool builds are cached, outside the repository:
 * `$CASCADE_CACHE_DIR`, else `$XDG_CACHE_HOME/cascade`, else `~/.cache/cascade`.
 */
export function resolveCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.CASCADE_CACHE_DIR?.trim();
  if (explicit) return path.resolve(explicit);
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg) return path.join(path.resolve(xdg), 'cascade');
  return path.join(os.homedir(), '.cache', 'cascade');
}
