import { InvalidArgumentError } from 'commander';

/** Commander parser of an option that takes a positive integer, e.g. `--limit 50`. */
export function parsePositiveInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer.');
  return parsed;
}
