import type { Readable } from 'node:stream';

/** The mail bucket, as the domain needs it. */
export interface BlobStore {
  /** The object's bytes, or undefined when there is no such object. */
  get(key: string): Promise<Buffer | undefined>;
  /** The object as a stream, for messages too large to hold in memory. */
  getStream(key: string): Promise<{ body: Readable; size: number } | undefined>;
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
  /** Uploads a stream of unknown length without buffering all of it (multipart when large). */
  putStream(key: string, body: Readable, contentType: string): Promise<void>;
  /** A short-lived URL a browser can download the object from, as `filename`. */
  downloadUrl(
    key: string,
    options: { filename: string; contentType: string; expiresInSeconds: number },
  ): Promise<string>;
  /** A short-lived URL a browser can upload one object to (PUT, with this content type). */
  uploadUrl(key: string, options: { contentType: string; expiresInSeconds: number }): Promise<string>;
  delete(key: string): Promise<void>;
}
