import * as pulumi from '@pulumi/pulumi';

/** Everything the stack can be told, read once from `pulumi.Config` (Pulumi.<stack>.yaml). */
export interface HostingConfig {
  /** Prefix of every physical name (Pulumi appends a random suffix to bucket names). */
  namePrefix: string;
  githubOwner: string;
  githubRepo: string;
  /** The branch whose workflow runs may assume the build role. */
  githubBranch: string;
  /** Use an existing GitHub OIDC provider (one per account) instead of creating it. */
  githubOidcProviderArn: string | undefined;
  /** When set, the deployer role trusts jobs in this GitHub environment instead of the branch. */
  deployEnvironment: string | undefined;
  /** `builds/<commit>/` objects expire after this many days. */
  buildRetentionDays: number;
  /** Optional custom domain; needs `certificateArn` (us-east-1) or `hostedZoneId` (DNS-validated cert). */
  domainName: string | undefined;
  certificateArn: string | undefined;
  hostedZoneId: string | undefined;
  priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
}

const GITHUB_NAME = /^[A-Za-z0-9._-]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

function check(ok: boolean, key: string, expected: string): void {
  if (!ok) throw new pulumi.RunError(`config ${key}: expected ${expected}`);
}

/** Reads and checks the stack config; a bad value stops `pulumi up` before any resource is touched. */
export function loadHostingConfig(config: pulumi.Config = new pulumi.Config()): HostingConfig {
  const githubOwner = config.require('githubOwner');
  const githubRepo = config.require('githubRepo');
  const githubBranch = config.get('githubBranch') ?? 'main';
  check(GITHUB_NAME.test(githubOwner), 'githubOwner', 'a GitHub owner name');
  check(GITHUB_NAME.test(githubRepo), 'githubRepo', 'a GitHub repository name');
  check(
    /^[A-Za-z0-9._/-]+$/.test(githubBranch) && !githubBranch.includes('*'),
    'githubBranch',
    'a branch name',
  );

  const buildRetentionDays = config.getNumber('buildRetentionDays') ?? 90;
  check(
    Number.isInteger(buildRetentionDays) && buildRetentionDays >= 1,
    'buildRetentionDays',
    'a whole number of days ≥ 1',
  );

  const domainName = config.get('domainName');
  const certificateArn = config.get('certificateArn');
  const hostedZoneId = config.get('hostedZoneId');
  if (domainName !== undefined) {
    check(DOMAIN.test(domainName), 'domainName', 'a lower-case DNS name');
    check(
      certificateArn !== undefined || hostedZoneId !== undefined,
      'domainName',
      'certificateArn or hostedZoneId to go with it',
    );
  }
  if (certificateArn !== undefined) {
    check(/^arn:aws[a-z-]*:acm:us-east-1:/.test(certificateArn), 'certificateArn', 'an ACM ARN in us-east-1');
  }

  const githubOidcProviderArn = config.get('githubOidcProviderArn');
  if (githubOidcProviderArn !== undefined) {
    check(
      /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(
        githubOidcProviderArn,
      ),
      'githubOidcProviderArn',
      'the ARN of the token.actions.githubusercontent.com OIDC provider',
    );
  }

  const priceClass = config.get('priceClass') ?? 'PriceClass_100';
  check((PRICE_CLASSES as readonly string[]).includes(priceClass), 'priceClass', PRICE_CLASSES.join(' | '));

  const deployEnvironment = config.get('deployEnvironment');
  if (deployEnvironment !== undefined) {
    check(GITHUB_NAME.test(deployEnvironment), 'deployEnvironment', 'a GitHub environment name');
  }

  return {
    namePrefix: config.get('namePrefix') ?? 'sophia-dashboard',
    githubOwner,
    githubRepo,
    githubBranch,
    githubOidcProviderArn,
    deployEnvironment,
    buildRetentionDays,
    domainName,
    certificateArn,
    hostedZoneId,
    priceClass: priceClass as HostingConfig['priceClass'],
  };
}
