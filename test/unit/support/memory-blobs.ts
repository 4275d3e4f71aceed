import { Readable } from 'node:stream';
import type { BlobStore } from '../../../lambdas/adapters/blob-store';

export interface StoredBlob {
  body: Buffer;
  contentType: string;
}

/**
 * An in-memory `BlobStore`: bytes are copied in and out, a missing key reads as undefined (as
 * S3's NoSuchKey does), and `getStream` hands the object out in small chunks, as a network
 * stream would.
 */
export class MemoryBlobs implements BlobStore {
  private readonly objects = new Map<string, StoredBlob>();

  constructor(private readonly chunkSize = 16 * 1024) {}

  async get(key: string): Promise<Buffer | undefined> {
    const object = this.objects.get(key);
    return object && Buffer.from(object.body);
  }

  async getStream(key: string): Promise<{ body: Readable; size: number } | undefined> {
    const object = this.objects.get(key);
    if (!object) return undefined;
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < object.body.length; offset += this.chunkSize) {
      chunks.push(Buffer.from(object.body.subarray(offset, offset + this.chunkSize)));
    }
    return { body: Readable.from(chunks), size: object.body.length };
  }

  async put(key: string, body: Buffer | string, contentType: string): Promise<void> {
    this.objects.set(key, { body: Buffer.from(body), contentType });
  }

  async putStream(key: string, body: Readable, contentType: string): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    this.objects.set(key, { body: Buffer.concat(chunks), contentType });
  }

  /** The stored object, for assertions. */
  object(key: string): StoredBlob | undefined {
    const object = this.objects.get(key);
    return object && { body: Buffer.from(object.body), contentType: object.contentType };
  }

  /** Every stored key, sorted, for assertions. */
  keys(prefix = ''): string[] {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async downloadUrl(
    key: string,
    options: { filename: string; contentType: string; expiresInSeconds: number },
  ) {
    return `memory://${key}?filename=${encodeURIComponent(options.filename)}&expires=${options.expiresInSeconds}`;
  }

  async uploadUrl(key: string, options: { contentType: string; expiresInSeconds: number }) {
    return `memory://${key}?upload=${encodeURIComponent(options.contentType)}&expires=${options.expiresInSeconds}`;
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
