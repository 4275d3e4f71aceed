import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobStore } from '../blob-store';

/**
 * Checksums only when S3 requires them: S3-compatible servers mishandle the SDK's default
 * streamed (aws-chunked) checksums, and TLS already guards integrity in transit.
 */
export const createS3Client = () =>
  new S3Client({
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    cacheMiddleware: true,
  });

export class S3BlobStore implements BlobStore {
  constructor(
    private readonly bucket: string,
    private readonly s3: S3Client = createS3Client(),
  ) {}

  async get(key: string): Promise<Buffer | undefined> {
    const object = await this.getObject(key);
    return object && (object.Body ? Buffer.from(await object.Body.transformToByteArray()) : Buffer.alloc(0));
  }

  async getStream(key: string): Promise<{ body: Readable; size: number } | undefined> {
    const object = await this.getObject(key);
    return object && { body: object.Body as Readable, size: Number(object.ContentLength ?? 0) };
  }

  async putStream(key: string, body: Readable, contentType: string): Promise<void> {
    // 5 MiB parts, one at a time: memory stays near 5 MiB per upload whatever the object size.
    await new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      queueSize: 1,
      partSize: 5 * 1024 * 1024,
    }).done();
  }

  downloadUrl(key: string, options: { filename: string; contentType: string; expiresInSeconds: number }) {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentType: options.contentType,
        ResponseContentDisposition: contentDisposition(options.filename),
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }

  uploadUrl(key: string, options: { contentType: string; expiresInSeconds: number }) {
    return getSignedUrl(
      this.s3,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType }),
      { expiresIn: options.expiresInSeconds },
    );
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  private async getObject(key: string) {
    try {
      return await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987). */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
