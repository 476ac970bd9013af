/**
 * The two command strings the stack exports. `syncCommand` is read by the agent with a
 * strict grammar (`aws s3 sync <s3 uri> <s3 uri> [--delete]`); `{commit}` is its only placeholder.
 */
export const COMMIT_PLACEHOLDER = '{commit}';

export function syncCommand(artifactsBucket: string, hostingBucket: string): string {
  return `aws s3 sync s3://${artifactsBucket}/builds/${COMMIT_PLACEHOLDER}/site/ s3://${hostingBucket}/ --delete`;
}

export function invalidateCommand(distributionId: string): string {
  return `aws cloudfront create-invalidation --distribution-id ${distributionId} --paths "/*"`;
}
