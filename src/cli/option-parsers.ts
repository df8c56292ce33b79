import { InvalidArgumentError } from 'commander';

/** Commander parser of an option that takes a positive integer, e.g. `--limit 50`. */
export function parsePositiveInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer.');
  return parsed;
}

/** Commander parser of an option that takes a positive number, e.g. `--rate 2.5`. */
export function parsePositiveNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number.');
  return parsed;
}
