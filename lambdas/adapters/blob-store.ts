/** The mail bucket, as the domain needs it. */
export interface BlobStore {
  /** The object's bytes, or undefined when there is no such object. */
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, body: Buffer | string, contentType: string): Promise<void>;
}
