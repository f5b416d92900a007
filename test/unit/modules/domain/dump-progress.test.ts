/** mysql.dump's progress total: the databases' size estimate, read from what the dump command wrote. */
import { describe, expect, it } from 'vitest';
import { databasesSize } from '../../../../lib/commands/sql/schema.js';
import { parseEstimate, progressTotal } from '../../../../lib/modules/mysql/dump.js';

describe('mysql.dump progress estimate', () => {
  it('takes a positive byte count, and nothing else (no file, empty databases, an error text)', () => {
    expect(parseEstimate('5242880\n')).toBe(5242880);
    expect(parseEstimate(undefined)).toBeUndefined();
    expect(parseEstimate('')).toBeUndefined();
    expect(parseEstimate('0\n')).toBeUndefined();
    expect(parseEstimate('NULL')).toBeUndefined();
    expect(parseEstimate('ERROR 1045 (28000): Access denied')).toBeUndefined();
    expect(parseEstimate('-3')).toBeUndefined();
  });

  it('gives the estimate as total while the dump is within it, none once it has outgrown it or without one', () => {
    expect(progressTotal(1000, 0)).toBe(1000);
    expect(progressTotal(1000, 1000)).toBe(1000);
    expect(progressTotal(1000, 1001)).toBeUndefined();
    expect(progressTotal(undefined, 10)).toBeUndefined();
  });

  it('sums data and index bytes of exactly the dumped schemas, names as literals', () => {
    expect(databasesSize(['oms_rm', "o'x"])).toBe(
      "SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ('oms_rm', 'o''x')",
    );
  });
});
