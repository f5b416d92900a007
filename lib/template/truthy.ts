import { Secret } from '../secrets.js';

/**
 * Truthiness of conditions and `#if`/`#unless`/`not`/`and`/`or`/`bool`.
 *
 * False: false, null, undefined, 0, NaN, "" , the strings "false" and "no" in any letter case
 * ("false", "False", "FALSE", "no", "No", "NO"), "0", an empty list [] and an empty mapping {}.
 * Everything else is true, including "true", "yes", "off", " " and Dates.
 *
 * Unlike Ansible the string "false" is false (a value from `-e flag=false` or a file reads as
 * people expect), and since YAML is read as 1.2 `no` stays a string, which is false here too.
 */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return !FALSE_STRINGS.has(value.toLowerCase());
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return Object.keys(value).length > 0;
    if (value instanceof Secret) return isTruthy(value.value);
    return true;
  }
  return true;
}

const FALSE_STRINGS = new Set(['', 'false', 'no', '0']);
