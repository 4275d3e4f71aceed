import { Match } from 'aws-cdk-lib/assertions';
import { ACCESS_LOG_EXPIRY, MAIL_PREFIXES } from '../../lib/storage';
import { buildStack, logicalId } from './stack-fixture';

const { stack, template } = buildStack();
const tableId = logicalId(stack.storage.table);
const mailBucketId = logicalId(stack.storage.mailBucket);
const logBucketId = logicalId(stack.storage.logBucket);

describe('Storage: table', () => {
  test('has string keys pk/sk, on-demand billing, TTL on expiresAt, PITR and SSE', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  test('is retained when the stack is deleted', () => {
    expect(template.toJSON().Resources[tableId]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('Storage: mail bucket', () => {
  const bucket = template.toJSON().Resources[mailBucketId];

  test('expires incoming/, body/, att/ and sent/ after 31 days, uploads and exports after 1, and aborts stale multipart uploads', () => {
    const rules: Array<Record<string, unknown>> = bucket.Properties.LifecycleConfiguration.Rules;
    for (const prefix of ['incoming/', 'body/', 'att/', 'sent/']) {
      expect(rules).toContainEqual(
        expect.objectContaining({ Prefix: prefix, ExpirationInDays: 31, Status: 'Enabled' }),
      );
    }
    for (const prefix of ['uploads/', 'exports/']) {
      expect(rules).toContainEqual(
        expect.objectContaining({ Prefix: prefix, ExpirationInDays: 1, Status: 'Enabled' }),
      );
    }
    expect(Object.values(MAIL_PREFIXES).sort()).toEqual(['att/', 'body/', 'incoming/', 'sent/']);
    expect(rules).toContainEqual(
      expect.objectContaining({
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      }),
    );
  });

  test('lets browsers PUT and GET through presigned URLs (CORS)', () => {
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ['PUT', 'GET'], AllowedHeaders: ['content-type'] }),
    ]);
  });

  test('blocks public access, is S3-encrypted, unversioned, retained, and logs to the log bucket', () => {
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 's3/mail/' },
    });
    expect(bucket.Properties.VersioningConfiguration?.Status).not.toBe('Enabled');
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  test.each([
    ['mail', mailBucketId],
    ['log', logBucketId],
  ])('the %s bucket policy denies requests without TLS', (_name, bucketId) => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('Storage: log bucket', () => {
  test('keeps ACLs for CloudFront standard logging, blocks public access and expires logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: ACCESS_LOG_EXPIRY.toDays() })]),
      },
    });
  });

  test('admits S3 server access logs from the mail bucket through its bucket policy only', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: Match.objectLike({
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [mailBucketId, 'Arn'] } },
            }),
          }),
        ]),
      },
    });
    expect(template.toJSON().Resources[logBucketId].Properties.AccessControl).toBeUndefined();
  });
});
