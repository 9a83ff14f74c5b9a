// A test file for tests/counting/check only (not a *.test.mjs: no suite runs it). Its
// tests pass, fail and skip on purpose; check knows what each should count as.
import { test, describe, it } from 'node:test';
import assert from 'node:assert';

describe('a describe() block', () => {
    it('a passing leaf', () => {});
    it('a skipped leaf', { skip: 'a reason' }, () => {});
    it('a todo leaf that fails', { todo: true }, () => {
        throw new Error('not yet');
    });
    describe('a nested describe()', () => {
        it('a failing leaf, two levels down', () => {
            assert.equal(1, 2);
        });
        it('a passing leaf, two levels down', () => {});
    });
});

test('a test that only holds subtests', async (t) => {
    await t.test('a passing subtest', () => {});
    await t.test('a subtest that skips itself', (t) => t.skip('not here'));
});

test('a plain passing test', () => {});

test('a parent whose own code fails after its subtests passed', async (t) => {
    await t.test('a passing subtest of it', () => {});
    throw new Error('the parent itself');
});
