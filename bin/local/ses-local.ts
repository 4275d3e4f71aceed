import type { AddressInfo } from 'node:net';
import sesLocal from 'aws-ses-v2-local';

export interface SesLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** aws-ses-v2-local: accepts SES v1/v2 sends; its page and `GET /store` list what was sent. */
export async function startSesLocal(port: number): Promise<SesLocal> {
  const server = await sesLocal({ host: '127.0.0.1', port });
  const { port: actual } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${actual}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
