import type { StackRef } from '../stack-ref.js';

/**
 * One stack output as a backend holds it. Secrets carry their plaintext only where the backend has it
 * (a `--show-secrets` export, the Automation API); an encrypted secret has `value: undefined`.
 */
export interface RawOutput {
  value: unknown;
  secret: boolean;
  /** True when the value is a secret this server cannot decrypt (only ciphertext is stored). */
  encrypted: boolean;
}

export type RawOutputs = Record<string, RawOutput>;

export interface OutputsBackend {
  readonly kind: 'state' | 'cloud' | 'automation';
  /** Reads the stack's outputs; `workDir` matters only to the automation backend. */
  readOutputs(ref: StackRef, workDir: string | undefined): Promise<RawOutputs>;
}
