import { FrontendOpsError } from '../../agent/src/errors.js';

/** The FrontendOpsError `promise` rejects with; any other outcome fails the test. */
export async function rejectionOf(promise: Promise<unknown>): Promise<FrontendOpsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FrontendOpsError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
