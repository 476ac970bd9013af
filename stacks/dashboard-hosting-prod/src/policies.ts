/**
 * IAM and bucket policy documents, as pure functions of plain ARNs. The component feeds them resolved
 * outputs; unit tests read them directly. Each grant is the least the agent and the workflows need
 * (layout: `builds/`, `releases/`, `locks/` in the artifacts bucket).
 */

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  /** Absent only in trust policies, where the role itself is the resource. */
  Resource?: string | string[];
  Principal?: Record<string, string | string[]> | '*';
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The OIDC issuer of GitHub Actions, and the audience the official `configure-aws-credentials` action sends. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** Artifacts bucket prefixes. */
export const BUILDS_PREFIX = 'builds/';
export const RELEASES_PREFIX = 'releases/';
export const LOCKS_PREFIX = 'locks/';

function document(statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** `repo:<owner>/<repo>:ref:refs/heads/<branch>`: the `sub` claim of a workflow run on that branch. */
export function githubBranchSubject(owner: string, repo: string, branch: string): string {
  return `repo:${owner}/${repo}:ref:refs/heads/${branch}`;
}

/** `repo:<owner>/<repo>:environment:<name>`: the `sub` claim of a job that uses a GitHub environment. */
export function githubEnvironmentSubject(owner: string, repo: string, environment: string): string {
  return `repo:${owner}/${repo}:environment:${environment}`;
}

/**
 * Trust policy for a role assumed by GitHub Actions through OIDC. `StringEquals` (never `StringLike`)
 * on both `aud` and `sub`: a wildcard in `sub` is the classic way to let any fork or branch in.
 */
export function githubTrustPolicy(providerArn: string, subject: string): PolicyDocument {
  return document([
    {
      Sid: 'GitHubActionsOidc',
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: subject,
        },
      },
    },
  ]);
}

/** Refuses any request to the bucket that is not over TLS. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': false } },
  };
}

/**
 * Hosting bucket policy: only the CloudFront service, and only on behalf of this one distribution
 * (`AWS:SourceArn`), may read objects — the Origin Access Control pattern. No public principal.
 */
export function hostingBucketPolicy(bucketArn: string, distributionArn: string): PolicyDocument {
  return document([
    {
      Sid: 'AllowCloudFrontOriginAccessControl',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: `${bucketArn}/*`,
      Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
    },
    denyInsecureTransport(bucketArn),
  ]);
}

export function artifactsBucketPolicy(bucketArn: string): PolicyDocument {
  return document([denyInsecureTransport(bucketArn)]);
}

/**
 * The `build` role (build-dashboard workflow): publishes a commit's build under `builds/` and may read
 * there (the publisher checks whether `build.json` already exists). Nothing else anywhere.
 */
export function buildRolePolicy(artifactsBucketArn: string): PolicyDocument {
  return document([
    {
      Sid: 'WriteBuilds',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
      Resource: `${artifactsBucketArn}/${BUILDS_PREFIX}*`,
    },
    {
      Sid: 'ListBuilds',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: artifactsBucketArn,
      Condition: { StringLike: { 's3:prefix': [`${BUILDS_PREFIX}*`] } },
    },
  ]);
}

/**
 * The `deployer` role (deploy workflow / the agent): reads builds, keeps release records and the lock,
 * copies into and prunes the hosting bucket, and invalidates this distribution only.
 */
export function deployerRolePolicy(args: {
  artifactsBucketArn: string;
  hostingBucketArn: string;
  distributionArn: string;
}): PolicyDocument {
  const { artifactsBucketArn, hostingBucketArn, distributionArn } = args;
  return document([
    {
      Sid: 'ReadBuilds',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `${artifactsBucketArn}/${BUILDS_PREFIX}*`,
    },
    {
      // Release history is append-only: no delete.
      Sid: 'ReadWriteReleaseRecords',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `${artifactsBucketArn}/${RELEASES_PREFIX}*`,
    },
    {
      Sid: 'TakeAndReleaseLock',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: `${artifactsBucketArn}/${LOCKS_PREFIX}*`,
    },
    {
      Sid: 'ListArtifacts',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: artifactsBucketArn,
      Condition: {
        StringLike: { 's3:prefix': [`${BUILDS_PREFIX}*`, `${RELEASES_PREFIX}*`, `${LOCKS_PREFIX}*`] },
      },
    },
    {
      Sid: 'ListHosting',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: hostingBucketArn,
    },
    {
      Sid: 'WriteHosting',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `${hostingBucketArn}/*`,
    },
    {
      Sid: 'InvalidateThisDistribution',
      Effect: 'Allow',
      Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
      Resource: distributionArn,
    },
  ]);
}
