/** How values are named in messages (never a secret's content), and YAML 1.1 booleans people still write. */
import { Secret } from '../secrets.js';

/** A short, safe description of a value for messages: string "abc", number 3, a list, a mapping. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (v instanceof Secret) return 'a secret';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === 'number') return `number ${v}`;
  if (typeof v === 'boolean') return `boolean ${v}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** YAML 1.1 booleans that YAML 1.2 (and omsplay) keep as strings. */
export const YAML11_BOOLEANS = new Set(['yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'No', 'On', 'Off', 'YES', 'NO', 'ON', 'OFF', 'Y', 'N']);

export const BOOLEAN_HINT = 'omsplay reads YAML 1.2: yes/no/on/off are strings, not booleans; write true or false';
