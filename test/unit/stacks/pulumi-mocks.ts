import * as pulumi from '@pulumi/pulumi';

/** One resource the program registered, as the mock monitor saw it. */
export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
}

export const ACCOUNT = '123456789012';
export const DISTRIBUTION_ID = 'E2ABCDEF123456';
export const DISTRIBUTION_ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/${DISTRIBUTION_ID}`;
export const DISTRIBUTION_DOMAIN = 'd111111abcdef8.cloudfront.net';

/** What AWS would fill in after create: enough computed attributes for the program's outputs. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case 'aws:s3/bucket:Bucket': {
      const bucket = `${name}-1a2b3c4`;
      return {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketRegionalDomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
      };
    }
    case 'aws:cloudfront/distribution:Distribution':
      return { arn: DISTRIBUTION_ARN, domainName: DISTRIBUTION_DOMAIN, hostedZoneId: 'Z2FDTNDATAQYW2' };
    case 'aws:iam/role:Role':
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}` };
    case 'aws:iam/openIdConnectProvider:OpenIdConnectProvider':
      return { arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` };
    case 'aws:acm/certificate:Certificate':
      return {
        arn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/new-cert`,
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_x1.${String(inputs.domainName)}.`,
            resourceRecordType: 'CNAME',
            resourceRecordValue: '_x2.acm-validations.aws.',
          },
        ],
      };
    case 'aws:acm/certificateValidation:CertificateValidation':
      return { certificateArn: inputs.certificateArn };
    case 'aws:route53/record:Record':
      return { fqdn: inputs.name };
    default:
      return {};
  }
}

/**
 * Installs Pulumi mocks that record every resource. Must run before the program is imported
 * (dynamically): a static import would register resources against the real, absent engine.
 */
export async function installMocks(): Promise<RecordedResource[]> {
  const recorded: RecordedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs) };
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        // Real ids where the program exports them (a distribution id has its own format).
        const id =
          args.type === 'aws:cloudfront/distribution:Distribution' ? DISTRIBUTION_ID : `${args.name}-id`;
        return { id, state };
      },
      call(args) {
        throw new Error(`the stack must not call ${args.token} (unexpected invoke under test)`);
      },
    },
    'dashboard-hosting-prod',
    'dashboard-hosting-prod',
    false,
  );
  return recorded;
}

/** Resolves an Output's value (under mocks every value is known). */
export function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => {
    output.apply((value) => {
      resolve(value);
      return value;
    });
  });
}

/** Waits until every registration the program started has reached the mock monitor. */
export async function settle(): Promise<void> {
  await pulumi.runtime.disconnect();
}

export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

export function one(resources: RecordedResource[], type: string, nameIncludes = ''): RecordedResource {
  const found = resources.filter((r) => r.type === type && r.name.includes(nameIncludes));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type} named *${nameIncludes}*, found ${found.length}`);
  }
  return found[0]!;
}

/** Policy documents are JSON strings in the inputs. */
export function policyOf(
  resource: RecordedResource,
  field: string,
): {
  Statement: Array<Record<string, unknown> & { Effect: string; Action: string | string[] }>;
} {
  const raw = resource.inputs[field];
  if (typeof raw !== 'string') throw new Error(`${resource.name}.${field} is not a JSON string`);
  return JSON.parse(raw);
}
