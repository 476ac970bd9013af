import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseStackOutputs } from '../../../agent/src/stack/outputs.js';
import {
  DISTRIBUTION_ARN,
  DISTRIBUTION_DOMAIN,
  DISTRIBUTION_ID,
  installMocks,
  ofType,
  one,
  policyOf,
  type RecordedResource,
  resolved,
  settle,
} from './pulumi-mocks.js';

const OUTPUT_NAMES = [
  'artifactsBucket',
  'hostingBucket',
  'distributionId',
  'url',
  'syncCommand',
  'invalidateCommand',
  'buildRoleArn',
  'deployerRoleArn',
] as const;

let resources: RecordedResource[];
let outputs: Record<string, unknown>;

const ARTIFACTS = 'sophia-dashboard-build-artifacts-1a2b3c4';
const HOSTING = 'sophia-dashboard-hosting-prod-1a2b3c4';

beforeAll(async () => {
  resources = await installMocks();
  pulumi.runtime.setAllConfig({
    'dashboard-hosting-prod:githubOwner': 'sophia-ai',
    'dashboard-hosting-prod:githubRepo': 'sophia',
    'dashboard-hosting-prod:buildRetentionDays': '30',
  });
  // Dynamic import AFTER setMocks: the program registers its resources against the mock monitor.
  const program = (await import('../../../stacks/dashboard-hosting-prod/index.js')) as unknown as Record<
    string,
    pulumi.Output<unknown>
  >;
  outputs = {};
  for (const name of OUTPUT_NAMES) {
    const output = program[name];
    if (output === undefined) throw new Error(`the program does not export ${name}`);
    outputs[name] = await resolved(output);
  }
  await settle();
});

function bucketResources(bucket: 'build-artifacts' | 'hosting-prod'): RecordedResource[] {
  return resources.filter((r) => r.name.startsWith(`sophia-dashboard-${bucket}`));
}

describe('stack outputs', () => {
  it('exports exactly the outputs the agent reads, valid for parseStackOutputs', () => {
    expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
    const parsed = parseStackOutputs(outputs, 'dashboard-hosting-prod');
    expect(parsed.artifactsBucket).toBe(ARTIFACTS);
    expect(parsed.hostingBucket).toBe(HOSTING);
    expect(parsed.distributionId).toBe(DISTRIBUTION_ID);
    expect(parsed.url).toBe(`https://${DISTRIBUTION_DOMAIN}`);
  });

  it('builds syncCommand from the real bucket names, with {commit} as the only placeholder', () => {
    expect(outputs.syncCommand).toBe(
      `aws s3 sync s3://${ARTIFACTS}/builds/{commit}/site/ s3://${HOSTING}/ --delete`,
    );
    expect(outputs.invalidateCommand).toBe(
      `aws cloudfront create-invalidation --distribution-id ${DISTRIBUTION_ID} --paths "/*"`,
    );
  });

  it('exports the ARNs of the build and deployer roles', () => {
    expect(outputs.buildRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\/sophia-dashboard-build$/);
    expect(outputs.deployerRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\/sophia-dashboard-deployer$/);
  });

  it('wraps everything in one StaticSiteHosting component', () => {
    const component = one(resources, 'sophia:index:StaticSiteHosting');
    expect(component.name).toBe('dashboard');
    expect(ofType(resources, 'sophia:index:PrivateBucket')).toHaveLength(2);
  });
});

describe('buckets', () => {
  it.each(['build-artifacts', 'hosting-prod'] as const)(
    '%s: every public access block flag is on',
    (bucket) => {
      const block = one(bucketResources(bucket), 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
      expect(block.inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(block.inputs.bucket).toBe(`sophia-dashboard-${bucket}-id`);
    },
  );

  it.each(['build-artifacts', 'hosting-prod'] as const)(
    '%s: ACLs disabled and encrypted at rest',
    (bucket) => {
      const own = bucketResources(bucket);
      expect(one(own, 'aws:s3/bucketOwnershipControls:BucketOwnershipControls').inputs.rule).toEqual({
        objectOwnership: 'BucketOwnerEnforced',
      });
      const sse = one(
        own,
        'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      );
      expect(sse.inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }]);
      const bucketInputs = one(own, 'aws:s3/bucket:Bucket').inputs;
      expect(bucketInputs.acl).toBeUndefined();
      expect(bucketInputs.policy).toBeUndefined();
    },
  );

  it('artifacts: versioned, builds/ expire after the configured days, releases/ and locks/ never', () => {
    const own = bucketResources('build-artifacts');
    expect(one(own, 'aws:s3/bucketVersioning:BucketVersioning').inputs.versioningConfiguration).toEqual({
      status: 'Enabled',
    });
    const rules = one(own, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').inputs
      .rules as Array<{ filter?: { prefix?: string }; expiration?: { days?: number }; status: string }>;
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      // A rule without a filter (or with prefix '') would match releases/ and locks/ too.
      expect(rule.filter?.prefix).toBe('builds/');
    }
    expect(rules[0]).toMatchObject({ status: 'Enabled', expiration: { days: 30 } });
  });

  it('no website endpoint and no legacy origin access identity anywhere', () => {
    expect(ofType(resources, 'aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration')).toEqual([]);
    expect(ofType(resources, 'aws:cloudfront/originAccessIdentity:OriginAccessIdentity')).toEqual([]);
    for (const bucket of ofType(resources, 'aws:s3/bucket:Bucket')) {
      expect(bucket.inputs.website).toBeUndefined();
    }
  });

  it('hosting bucket policy lets only CloudFront, for this one distribution, read objects', () => {
    const policy = policyOf(one(resources, 'aws:s3/bucketPolicy:BucketPolicy', 'hosting'), 'policy');
    const allows = policy.Statement.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'AllowCloudFrontOriginAccessControl',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${HOSTING}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': DISTRIBUTION_ARN } },
      },
    ]);
    const deny = policy.Statement.find((s) => s.Effect === 'Deny');
    expect(deny?.Condition).toEqual({ Bool: { 'aws:SecureTransport': false } });
  });

  it('artifacts bucket policy grants nothing, it only refuses plain HTTP', () => {
    const policy = policyOf(one(resources, 'aws:s3/bucketPolicy:BucketPolicy', 'artifacts'), 'policy');
    expect(policy.Statement.every((s) => s.Effect === 'Deny')).toBe(true);
  });
});

describe('CloudFront distribution', () => {
  let distribution: RecordedResource;
  beforeAll(() => {
    distribution = one(resources, 'aws:cloudfront/distribution:Distribution');
  });

  it('reads the hosting bucket through Origin Access Control only', () => {
    const oac = one(resources, 'aws:cloudfront/originAccessControl:OriginAccessControl');
    expect(oac.inputs).toMatchObject({
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    const origins = distribution.inputs.origins as Array<Record<string, unknown>>;
    expect(origins).toHaveLength(1);
    expect(origins[0]).toMatchObject({
      domainName: `${HOSTING}.s3.us-east-1.amazonaws.com`,
      originAccessControlId: `${oac.name}-id`,
    });
    expect(origins[0]?.s3OriginConfig).toBeUndefined();
    expect(origins[0]?.customOriginConfig).toBeUndefined();
  });

  it('serves index.html at the root and for unknown routes (SPA fallback with 200)', () => {
    expect(distribution.inputs.defaultRootObject).toBe('index.html');
    const errors = distribution.inputs.customErrorResponses as Array<Record<string, unknown>>;
    expect(errors.map((e) => [e.errorCode, e.responseCode, e.responsePagePath])).toEqual([
      [403, 200, '/index.html'],
      [404, 200, '/index.html'],
    ]);
  });

  it('redirects to HTTPS, speaks HTTP/2 and HTTP/3, compresses, uses a managed cache policy', () => {
    expect(distribution.inputs.httpVersion).toBe('http2and3');
    expect(distribution.inputs.defaultCacheBehavior).toMatchObject({
      viewerProtocolPolicy: 'redirect-to-https',
      compress: true,
      cachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
      allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
    });
    expect(distribution.inputs.viewerCertificate).toEqual({ cloudfrontDefaultCertificate: true });
    expect(distribution.inputs.aliases).toEqual([]);
  });

  it('attaches a response headers policy with HSTS, nosniff, frame options, referrer policy and a CSP', () => {
    const headers = one(resources, 'aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy');
    expect(
      (distribution.inputs.defaultCacheBehavior as Record<string, unknown>).responseHeadersPolicyId,
    ).toBe(`${headers.name}-id`);
    const security = headers.inputs.securityHeadersConfig as Record<string, Record<string, unknown>>;
    expect(security.strictTransportSecurity).toMatchObject({
      accessControlMaxAgeSec: 63_072_000,
      override: true,
    });
    expect(security.contentTypeOptions).toEqual({ override: true });
    expect(security.frameOptions).toEqual({ frameOption: 'DENY', override: true });
    expect(security.referrerPolicy).toEqual({
      referrerPolicy: 'strict-origin-when-cross-origin',
      override: true,
    });
    const csp = String(security.contentSecurityPolicy?.contentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });
});

describe('IAM for GitHub Actions', () => {
  const MAIN = 'repo:sophia-ai/sophia:ref:refs/heads/main';

  it('creates the GitHub OIDC provider for the sts.amazonaws.com audience', () => {
    const provider = one(resources, 'aws:iam/openIdConnectProvider:OpenIdConnectProvider');
    expect(provider.inputs).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      clientIdLists: ['sts.amazonaws.com'],
    });
  });

  it.each(['build', 'deployer'])(
    'the %s role trusts only this repository main branch, by exact match',
    (role) => {
      const trust = policyOf(one(resources, 'aws:iam/role:Role', `-${role}`), 'assumeRolePolicy');
      expect(trust.Statement).toHaveLength(1);
      const statement = trust.Statement[0]!;
      expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(statement.Principal).toEqual({
        Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      });
      expect(statement.Condition).toEqual({
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': MAIN,
        },
      });
    },
  );

  function allowed(role: string): Array<{ actions: string[]; resources: string[] }> {
    const policy = policyOf(one(resources, 'aws:iam/rolePolicy:RolePolicy', `-${role}-policy`), 'policy');
    return policy.Statement.filter((s) => s.Effect === 'Allow').map((s) => ({
      actions: ([] as string[]).concat(s.Action),
      resources: ([] as string[]).concat(s.Resource as string | string[]),
    }));
  }

  it('the build role may write only builds/* in the artifacts bucket', () => {
    const statements = allowed('build');
    const writes = statements.filter((s) => s.actions.some((a) => /Put|Delete|Abort/.test(a)));
    expect(writes.length).toBeGreaterThan(0);
    for (const statement of writes)
      expect(statement.resources).toEqual([`arn:aws:s3:::${ARTIFACTS}/builds/*`]);
    for (const statement of statements) {
      for (const resource of statement.resources) expect(resource).toContain(ARTIFACTS);
      expect(statement.actions.some((a) => a.startsWith('cloudfront:'))).toBe(false);
    }
  });

  it('the deployer role: read builds, rw releases and locks, list/put/delete hosting, invalidate this distribution', () => {
    const statements = allowed('deployer');
    const grants = (resource: string) =>
      statements
        .filter((s) => s.resources.includes(resource))
        .flatMap((s) => s.actions)
        .sort();
    expect(grants(`arn:aws:s3:::${ARTIFACTS}/builds/*`)).toEqual(['s3:GetObject']);
    expect(grants(`arn:aws:s3:::${ARTIFACTS}/releases/*`)).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(grants(`arn:aws:s3:::${ARTIFACTS}/locks/*`)).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    expect(grants(`arn:aws:s3:::${HOSTING}`)).toEqual(['s3:ListBucket']);
    expect(grants(`arn:aws:s3:::${HOSTING}/*`)).toEqual(['s3:DeleteObject', 's3:PutObject']);
    expect(grants(DISTRIBUTION_ARN)).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
    // No wildcard resource and no action outside these services.
    for (const statement of statements) {
      expect(statement.resources).not.toContain('*');
      for (const action of statement.actions) expect(action).toMatch(/^(s3|cloudfront):[A-Za-z]+$/);
    }
  });
});
