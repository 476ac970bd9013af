import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { invalidateCommand, syncCommand } from './commands.js';
import type { HostingConfig } from './config.js';
import {
  artifactsBucketPolicy,
  BUILDS_PREFIX,
  buildRolePolicy,
  deployerRolePolicy,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_URL,
  githubBranchSubject,
  githubEnvironmentSubject,
  githubTrustPolicy,
  hostingBucketPolicy,
  type PolicyDocument,
} from './policies.js';
import { PrivateBucket } from './private-bucket.js';
import {
  CONTENT_SECURITY_POLICY,
  FRAME_OPTION,
  HSTS_MAX_AGE_SECONDS,
  REFERRER_POLICY,
} from './security-headers.js';

/**
 * AWS managed cache policy "Managed-CachingOptimized": honours the origin's Cache-Control (the engine
 * sets it per file), gzip and brotli keys, no cookies or query strings in the key. The id is fixed by AWS:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
 */
export const MANAGED_CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

const HOSTING_ORIGIN_ID = 'hosting';

function policyJson(document: PolicyDocument): string {
  return JSON.stringify(document);
}

/**
 * Hosting for a static single-page app: a private artifacts bucket the build publishes to,
 * a private hosting bucket served only through CloudFront (Origin Access Control), the distribution,
 * and the two IAM roles GitHub Actions assume through OIDC. Its outputs are what the agent reads.
 */
export class StaticSiteHosting extends pulumi.ComponentResource {
  readonly artifacts: PrivateBucket;
  readonly hosting: PrivateBucket;
  readonly originAccessControl: aws.cloudfront.OriginAccessControl;
  readonly responseHeadersPolicy: aws.cloudfront.ResponseHeadersPolicy;
  readonly distribution: aws.cloudfront.Distribution;
  readonly hostingBucketPolicy: aws.s3.BucketPolicy;
  readonly artifactsBucketPolicy: aws.s3.BucketPolicy;
  readonly oidcProvider: aws.iam.OpenIdConnectProvider | undefined;
  readonly buildRole: aws.iam.Role;
  readonly deployerRole: aws.iam.Role;

  readonly artifactsBucket: pulumi.Output<string>;
  readonly hostingBucket: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly syncCommand: pulumi.Output<string>;
  readonly invalidateCommand: pulumi.Output<string>;
  readonly buildRoleArn: pulumi.Output<string>;
  readonly deployerRoleArn: pulumi.Output<string>;

  constructor(name: string, config: HostingConfig, opts?: pulumi.ComponentResourceOptions) {
    super('sophia:index:StaticSiteHosting', name, {}, opts);
    const parent = { parent: this };
    const prefix = config.namePrefix;

    // --- buckets ------------------------------------------------------------------------------------
    this.artifacts = new PrivateBucket(
      `${prefix}-build-artifacts`,
      {
        versioning: true,
        // Only builds expire. releases/ (the record of what is live, and history) and locks/ are never
        // matched by a rule, so they are kept for good.
        lifecycleRules: [
          {
            id: 'expire-old-builds',
            status: 'Enabled',
            filter: { prefix: BUILDS_PREFIX },
            expiration: { days: config.buildRetentionDays },
            noncurrentVersionExpiration: { noncurrentDays: config.buildRetentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      parent,
    );
    this.hosting = new PrivateBucket(`${prefix}-hosting-prod`, { versioning: false }, parent);

    // --- CDN ------------------------------------------------------------------------------------------
    this.originAccessControl = new aws.cloudfront.OriginAccessControl(
      `${prefix}-oac`,
      {
        description: 'CloudFront reads the hosting bucket with SigV4 (Origin Access Control).',
        originAccessControlOriginType: 's3',
        signingBehavior: 'always',
        signingProtocol: 'sigv4',
      },
      parent,
    );

    this.responseHeadersPolicy = new aws.cloudfront.ResponseHeadersPolicy(
      `${prefix}-security-headers`,
      {
        comment: 'Security headers for the Sophia dashboard',
        securityHeadersConfig: {
          strictTransportSecurity: {
            accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
            includeSubdomains: true,
            preload: false,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: FRAME_OPTION, override: true },
          referrerPolicy: { referrerPolicy: REFERRER_POLICY, override: true },
          contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        },
      },
      parent,
    );

    const certificateArn = this.certificate(name, config);
    const aliases = config.domainName === undefined ? [] : [config.domainName];

    this.distribution = new aws.cloudfront.Distribution(
      `${prefix}-cdn`,
      {
        enabled: true,
        comment: 'Sophia dashboard',
        aliases,
        defaultRootObject: 'index.html',
        httpVersion: 'http2and3',
        isIpv6Enabled: true,
        priceClass: config.priceClass,
        origins: [
          {
            originId: HOSTING_ORIGIN_ID,
            domainName: this.hosting.bucket.bucketRegionalDomainName,
            originAccessControlId: this.originAccessControl.id,
          },
        ],
        defaultCacheBehavior: {
          targetOriginId: HOSTING_ORIGIN_ID,
          viewerProtocolPolicy: 'redirect-to-https',
          allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
          cachedMethods: ['GET', 'HEAD'],
          compress: true,
          cachePolicyId: MANAGED_CACHING_OPTIMIZED,
          responseHeadersPolicyId: this.responseHeadersPolicy.id,
        },
        // SPA fallback: client-side routes (`/reports/42`) do not exist in the bucket. S3 answers 403 for
        // a missing key when the reader may not list, 404 otherwise; both serve the app shell. Errors are
        // not cached, so a deep link never shows the previous release's shell after a deploy.
        customErrorResponses: [403, 404].map((errorCode) => ({
          errorCode,
          responseCode: 200,
          responsePagePath: '/index.html',
          errorCachingMinTtl: 0,
        })),
        restrictions: { geoRestriction: { restrictionType: 'none' } },
        viewerCertificate:
          certificateArn === undefined
            ? { cloudfrontDefaultCertificate: true }
            : {
                acmCertificateArn: certificateArn,
                sslSupportMethod: 'sni-only',
                minimumProtocolVersion: 'TLSv1.2_2021',
              },
      },
      parent,
    );

    // --- bucket policies --------------------------------------------------------------------------
    this.hostingBucketPolicy = new aws.s3.BucketPolicy(
      `${prefix}-hosting-policy`,
      {
        bucket: this.hosting.bucket.id,
        policy: pulumi
          .all([this.hosting.arn, this.distribution.arn])
          .apply(([bucketArn, distributionArn]) =>
            policyJson(hostingBucketPolicy(bucketArn, distributionArn)),
          ),
      },
      { parent: this, dependsOn: [this.hosting.publicAccessBlock] },
    );
    this.artifactsBucketPolicy = new aws.s3.BucketPolicy(
      `${prefix}-artifacts-policy`,
      {
        bucket: this.artifacts.bucket.id,
        policy: this.artifacts.arn.apply((arn) => policyJson(artifactsBucketPolicy(arn))),
      },
      { parent: this, dependsOn: [this.artifacts.publicAccessBlock] },
    );

    if (config.domainName !== undefined && config.hostedZoneId !== undefined) {
      for (const type of ['A', 'AAAA'] as const) {
        new aws.route53.Record(
          `${prefix}-alias-${type.toLowerCase()}`,
          {
            zoneId: config.hostedZoneId,
            name: config.domainName,
            type,
            aliases: [
              {
                name: this.distribution.domainName,
                zoneId: this.distribution.hostedZoneId,
                evaluateTargetHealth: false,
              },
            ],
          },
          parent,
        );
      }
    }

    // --- IAM for GitHub Actions -------------------------------------------------------------------
    this.oidcProvider =
      config.githubOidcProviderArn === undefined
        ? new aws.iam.OpenIdConnectProvider(
            'github-actions',
            { url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
            parent,
          )
        : undefined;
    const providerArn: pulumi.Output<string> =
      this.oidcProvider === undefined ? pulumi.output(config.githubOidcProviderArn!) : this.oidcProvider.arn;

    const buildSubject = githubBranchSubject(config.githubOwner, config.githubRepo, config.githubBranch);
    const deployerSubject =
      config.deployEnvironment === undefined
        ? buildSubject
        : githubEnvironmentSubject(config.githubOwner, config.githubRepo, config.deployEnvironment);

    this.buildRole = new aws.iam.Role(
      `${prefix}-build`,
      {
        description: `Publishes dashboard builds to builds/ (GitHub ${buildSubject}).`,
        assumeRolePolicy: providerArn.apply((arn) => policyJson(githubTrustPolicy(arn, buildSubject))),
        maxSessionDuration: 3600,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${prefix}-build-policy`,
      {
        role: this.buildRole.id,
        policy: this.artifacts.arn.apply((arn) => policyJson(buildRolePolicy(arn))),
      },
      parent,
    );

    this.deployerRole = new aws.iam.Role(
      `${prefix}-deployer`,
      {
        description: `Deploys the dashboard: copies builds to hosting, invalidates the CDN (GitHub ${deployerSubject}).`,
        assumeRolePolicy: providerArn.apply((arn) => policyJson(githubTrustPolicy(arn, deployerSubject))),
        maxSessionDuration: 3600,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${prefix}-deployer-policy`,
      {
        role: this.deployerRole.id,
        policy: pulumi
          .all([this.artifacts.arn, this.hosting.arn, this.distribution.arn])
          .apply(([artifactsBucketArn, hostingBucketArn, distributionArn]) =>
            policyJson(deployerRolePolicy({ artifactsBucketArn, hostingBucketArn, distributionArn })),
          ),
      },
      parent,
    );

    // --- outputs ------------------------------------------------------------------------
    this.artifactsBucket = this.artifacts.bucketName;
    this.hostingBucket = this.hosting.bucketName;
    this.distributionId = this.distribution.id;
    this.url =
      config.domainName === undefined
        ? pulumi.interpolate`https://${this.distribution.domainName}`
        : pulumi.output(`https://${config.domainName}`);
    this.syncCommand = pulumi
      .all([this.artifactsBucket, this.hostingBucket])
      .apply(([artifacts, hosting]) => syncCommand(artifacts, hosting));
    this.invalidateCommand = this.distributionId.apply(invalidateCommand);
    this.buildRoleArn = this.buildRole.arn;
    this.deployerRoleArn = this.deployerRole.arn;

    this.registerOutputs({
      artifactsBucket: this.artifactsBucket,
      hostingBucket: this.hostingBucket,
      distributionId: this.distributionId,
      url: this.url,
      syncCommand: this.syncCommand,
      invalidateCommand: this.invalidateCommand,
      buildRoleArn: this.buildRoleArn,
      deployerRoleArn: this.deployerRoleArn,
    });
  }

  /**
   * The viewer certificate for a custom domain: an existing ACM certificate, or a new DNS-validated one
   * in the hosted zone. CloudFront only accepts certificates from us-east-1. Undefined without a domain.
   */
  private certificate(name: string, config: HostingConfig): pulumi.Input<string> | undefined {
    if (config.domainName === undefined) return undefined;
    if (config.certificateArn !== undefined) return config.certificateArn;
    const zoneId = config.hostedZoneId!;
    const certificate = new aws.acm.Certificate(
      `${name}-certificate`,
      { domainName: config.domainName, validationMethod: 'DNS', region: 'us-east-1' },
      { parent: this },
    );
    const option = certificate.domainValidationOptions.apply((options) => {
      const first = options[0];
      if (first === undefined) throw new pulumi.RunError('ACM returned no DNS validation record');
      return first;
    });
    const record = new aws.route53.Record(
      `${name}-certificate-validation`,
      {
        zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 60,
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-certificate`,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn], region: 'us-east-1' },
      { parent: this },
    );
    return validation.certificateArn;
  }
}
