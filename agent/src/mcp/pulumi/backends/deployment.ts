import { FrontendOpsError } from '../../../errors.js';
import type { RawOutput, RawOutputs } from './types.js';

/**
 * Pulumi marks a secret value in state and exports with this signature key/value (apitype
 * `SecretSig`), next to `ciphertext` (encrypted by the stack's secrets provider) or `plaintext`
 * (JSON text, in `--show-secrets` exports).
 */
export const SECRET_SIG_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIG_VALUE = '1b47061264138c4ac30d75fd1eb44270';

interface Decoded {
  value: unknown;
  secret: boolean;
  encrypted: boolean;
}

function decode(value: unknown): Decoded {
  if (Array.isArray(value)) {
    const items = value.map(decode);
    return {
      value: items.some((i) => i.encrypted) ? undefined : items.map((i) => i.value),
      secret: items.some((i) => i.secret),
      encrypted: items.some((i) => i.encrypted),
    };
  }
  if (value === null || typeof value !== 'object') return { value, secret: false, encrypted: false };
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG_KEY] === SECRET_SIG_VALUE) {
    if (typeof record.plaintext === 'string') {
      try {
        return { value: decode(JSON.parse(record.plaintext)).value, secret: true, encrypted: false };
      } catch {
        return { value: undefined, secret: true, encrypted: true };
      }
    }
    return { value: undefined, secret: true, encrypted: true };
  }
  const entries = Object.entries(record).map(([k, v]) => [k, decode(v)] as const);
  const encrypted = entries.some(([, d]) => d.encrypted);
  return {
    value: encrypted ? undefined : Object.fromEntries(entries.map(([k, d]) => [k, d.value])),
    secret: entries.some(([, d]) => d.secret),
    encrypted,
  };
}

/** A secret anywhere inside an output makes the whole output secret, as `pulumi stack output` shows it. */
export function decodeOutputs(outputs: Record<string, unknown>): RawOutputs {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, value]) => {
      const decoded: RawOutput = decode(value);
      return [name, decoded];
    }),
  );
}

interface DeploymentLike {
  resources?: Array<{ type?: unknown; urn?: unknown; outputs?: unknown }> | null;
}

/**
 * The root stack resource's outputs from a deployment (`checkpoint.latest` in a self-managed state
 * file, `deployment` in a Cloud export). A deployment with no stack resource (never deployed, or
 * destroyed) has no outputs: STACK_OUTPUT_INVALID.
 */
export function outputsFromDeployment(
  deployment: DeploymentLike | null | undefined,
  stackLabel: string,
): RawOutputs {
  const resources = Array.isArray(deployment?.resources) ? deployment.resources : [];
  const root = resources.find((r) => r?.type === 'pulumi:pulumi:Stack');
  if (root === undefined) {
    throw new FrontendOpsError('STACK_OUTPUT_INVALID', `stack ${stackLabel} has no deployed resources`, {
      hint: 'Run `pulumi up` on the stack first.',
    });
  }
  const outputs = root.outputs;
  if (outputs === undefined || outputs === null) return {};
  if (typeof outputs !== 'object' || Array.isArray(outputs)) {
    throw new FrontendOpsError(
      'STACK_OUTPUT_INVALID',
      `stack ${stackLabel}: the stack resource's outputs are not an object`,
    );
  }
  return decodeOutputs(outputs as Record<string, unknown>);
}

/** Parses a state file (`{ version, checkpoint: { latest } }`) or throws PULUMI_BACKEND_ERROR. */
export function outputsFromCheckpointText(text: string, stackLabel: string, where: string): RawOutputs {
  let parsed: { checkpoint?: { latest?: DeploymentLike | null } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (cause) {
    throw new FrontendOpsError(
      'PULUMI_BACKEND_ERROR',
      `the checkpoint of ${stackLabel} at ${where} is not JSON`,
      { cause },
    );
  }
  return outputsFromDeployment(parsed.checkpoint?.latest, stackLabel);
}
