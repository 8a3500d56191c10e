import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { FAILURES_GLOBAL } from './failure-logs';

/**
 * Node's environment, counting failed tests and hooks where the test file can read them: a
 * stack that stops after a failure prints what its processes logged (testing/stack.ts), since
 * the assertion alone rarely says why a service answered as it did.
 */
export default class E2eEnvironment extends TestEnvironment {
  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      const counted = this.global as unknown as Record<string, number | undefined>;
      counted[FAILURES_GLOBAL] = (counted[FAILURES_GLOBAL] ?? 0) + 1;
    }
  }
}
