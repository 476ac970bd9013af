import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostingConfig } from '../../../stacks/dashboard-hosting-prod/src/config.js';
import {
  installMocks,
  ofType,
  one,
  policyOf,
  type RecordedResource,
  resolved,
  settle,
} from './pulumi-mocks.js';

const BASE: HostingConfig = {
  namePrefix: 'sophia-dashboard',
  githubOwner: 'sophia-ai',
  githubRepo: 'sophia',
  githubBranch: 'main',
  githubOidcProviderArn: undefined,
  deployEnvironment: undefined,
  buildRetentionDays: 90,
  domainName: undefined,
  certificateArn: undefined,
  hostedZoneId: undefined,
  priceClass: 'PriceClass_100',
};

const EXISTING_PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

let resources: RecordedResource[];
let modules: {
  StaticSiteHosting: typeof import('../../../stacks/dashboard-hosting-prod/src/static-site-hosting.js').StaticSiteHosting;
  loadHostingConfig: typeof import('../../../stacks/dashboard-hosting-prod/src/config.js').loadHostingConfig;
};
let urls: Record<string, string>;

beforeAll(async () => {
  resources = await installMocks();
  const { StaticSiteHosting } = await import(
    '../../../stacks/dashboard-hosting-prod/src/static-site-hosting.js'
  );
  const { loadHostingConfig } = await import('../../../stacks/dashboard-hosting-prod/src/config.js');
  modules = { StaticSiteHosting, loadHostingConfig };

  const withZone = new StaticSiteHosting('zone', {
    ...BASE,
    namePrefix: 'zone',
    domainName: 'dashboard.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    githubOidcProviderArn: EXISTING_PROVIDER,
    deployEnvironment: 'production',
  });
  const withCert = new StaticSiteHosting('cert', {
    ...BASE,
    namePrefix: 'cert',
    domainName: 'ops.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/existing',
    githubOidcProviderArn: EXISTING_PROVIDER,
  });
  urls = { zone: await resolved(withZone.url), cert: await resolved(withCert.url) };
  await settle();
});

function named(prefix: string): RecordedResource[] {
  return resources.filter((r) => r.name.startsWith(prefix));
}

describe('custom domain', () => {
  it('with a hosted zone: a DNS-validated us-east-1 certificate, aliases, A/AAAA records', () => {
    const own = named('zone');
    const certificate = one(own, 'aws:acm/certificate:Certificate');
    expect(certificate.inputs).toMatchObject({
      domainName: 'dashboard.example.com',
      validationMethod: 'DNS',
      region: 'us-east-1',
    });
    const validation = one(own, 'aws:acm/certificateValidation:CertificateValidation');
    expect(validation.inputs.certificateArn).toBe(certificate.state.arn);
    const distribution = one(own, 'aws:cloudfront/distribution:Distribution');
    expect(distribution.inputs.aliases).toEqual(['dashboard.example.com']);
    expect(distribution.inputs.viewerCertificate).toEqual({
      acmCertificateArn: certificate.state.arn,
      sslSupportMethod: 'sni-only',
      minimumProtocolVersion: 'TLSv1.2_2021',
    });
    const records = ofType(own, 'aws:route53/record:Record');
    expect(records.map((r) => r.inputs.type).sort()).toEqual(['A', 'AAAA', 'CNAME']);
    expect(urls.zone).toBe('https://dashboard.example.com');
  });

  it('with an existing certificate: no certificate is created and no DNS is touched', () => {
    const own = named('cert');
    expect(ofType(own, 'aws:acm/certificate:Certificate')).toEqual([]);
    expect(ofType(own, 'aws:route53/record:Record')).toEqual([]);
    const distribution = one(own, 'aws:cloudfront/distribution:Distribution');
    expect(distribution.inputs.viewerCertificate).toMatchObject({
      acmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/existing',
    });
    expect(urls.cert).toBe('https://ops.example.com');
  });
});

describe('GitHub OIDC options', () => {
  it('an existing OIDC provider is referenced, not created', () => {
    expect(ofType(resources, 'aws:iam/openIdConnectProvider:OpenIdConnectProvider')).toEqual([]);
    const trust = policyOf(one(named('zone'), 'aws:iam/role:Role', '-build'), 'assumeRolePolicy');
    expect(trust.Statement[0]?.Principal).toEqual({ Federated: EXISTING_PROVIDER });
  });

  it('deployEnvironment: the deployer trusts the environment, the build role still only main', () => {
    const sub = (role: string) => {
      const trust = policyOf(one(named('zone'), 'aws:iam/role:Role', `-${role}`), 'assumeRolePolicy');
      const condition = trust.Statement[0]?.Condition as { StringEquals: Record<string, string> };
      return condition.StringEquals['token.actions.githubusercontent.com:sub'];
    };
    expect(sub('deployer')).toBe('repo:sophia-ai/sophia:environment:production');
    expect(sub('build')).toBe('repo:sophia-ai/sophia:ref:refs/heads/main');
  });
});

describe('loadHostingConfig', () => {
  function load(values: Record<string, string>): HostingConfig {
    pulumi.runtime.setAllConfig(
      Object.fromEntries(Object.entries(values).map(([k, v]) => [`dashboard-hosting-prod:${k}`, v])),
    );
    return modules.loadHostingConfig(new pulumi.Config('dashboard-hosting-prod'));
  }

  it('defaults: main branch, 90 days, PriceClass_100, no domain', () => {
    expect(load({ githubOwner: 'sophia-ai', githubRepo: 'sophia' })).toEqual(BASE);
  });

  it.each([
    [{ githubRepo: 'sophia' }, /githubOwner/],
    [{ githubOwner: 'sophia-ai', githubRepo: 'so phia' }, /githubRepo/],
    [{ githubOwner: 'sophia-ai', githubRepo: 'sophia', githubBranch: '*' }, /githubBranch/],
    [{ githubOwner: 'sophia-ai', githubRepo: 'sophia', buildRetentionDays: '0' }, /buildRetentionDays/],
    [
      { githubOwner: 'sophia-ai', githubRepo: 'sophia', domainName: 'dashboard.example.com' },
      /certificateArn/,
    ],
    [
      {
        githubOwner: 'sophia-ai',
        githubRepo: 'sophia',
        domainName: 'dashboard.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x',
      },
      /us-east-1/,
    ],
    [{ githubOwner: 'sophia-ai', githubRepo: 'sophia', priceClass: 'PriceClass_Cheap' }, /priceClass/],
    [
      {
        githubOwner: 'sophia-ai',
        githubRepo: 'sophia',
        githubOidcProviderArn: 'arn:aws:iam::1:oidc-provider/x',
      },
      /githubOidcProviderArn/,
    ],
  ])('refuses %j', (values, message) => {
    expect(() => load(values)).toThrow(message);
  });
});
