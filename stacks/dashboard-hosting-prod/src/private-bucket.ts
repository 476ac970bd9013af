import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface PrivateBucketArgs {
  /** Keep old object versions (the artifacts bucket: a bad publish can be undone). */
  versioning: boolean;
  /** Lifecycle rules; none means objects are kept forever. */
  lifecycleRules?: aws.types.input.s3.BucketLifecycleConfigurationRule[];
}

/**
 * An S3 bucket no one can make public: every public access block flag on, ACLs disabled
 * (BucketOwnerEnforced), SSE-S3 encryption by default. The caller attaches the bucket policy, because
 * the hosting bucket's policy names a distribution that is created after the bucket.
 */
export class PrivateBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly ownershipControls: aws.s3.BucketOwnershipControls;
  readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
  readonly versioning: aws.s3.BucketVersioning | undefined;
  readonly lifecycle: aws.s3.BucketLifecycleConfiguration | undefined;
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: PrivateBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('sophia:index:PrivateBucket', name, {}, opts);
    const parent = { parent: this };

    // Auto-named (`<name>-<random>`): bucket names are global, and a replacement never collides.
    this.bucket = new aws.s3.Bucket(name, {}, parent);
    const bucket = this.bucket.id;

    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    this.ownershipControls = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } },
      parent,
    );
    this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
      parent,
    );
    this.versioning = args.versioning
      ? new aws.s3.BucketVersioning(
          `${name}-versioning`,
          { bucket, versioningConfiguration: { status: 'Enabled' } },
          parent,
        )
      : undefined;
    this.lifecycle =
      args.lifecycleRules === undefined || args.lifecycleRules.length === 0
        ? undefined
        : new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            { bucket, rules: args.lifecycleRules },
            // Lifecycle rules on a versioned bucket must see versioning enabled first.
            { parent: this, dependsOn: this.versioning === undefined ? [] : [this.versioning] },
          );

    this.bucketName = this.bucket.bucket;
    this.arn = this.bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
