/** A small JSON client for the local HTTP API, as a browser or a script would use it. */
export interface ApiResult {
  status: number;
  // Response bodies are checked field by field by the tests; `any` keeps those checks short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

export function apiClient(baseUrl: string, auth: { bearer?: string; cookie?: string } = {}) {
  const call = async (method: string, path: string, json?: unknown): Promise<ApiResult> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}),
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
      },
      body: json !== undefined ? JSON.stringify(json) : undefined,
      redirect: 'manual',
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, json?: unknown) => call('POST', path, json ?? {}),
    put: (path: string, json?: unknown) => call('PUT', path, json ?? {}),
    patch: (path: string, json?: unknown) => call('PATCH', path, json ?? {}),
    delete: (path: string) => call('DELETE', path),
    call,
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Signs in on the console or the portal and returns a client carrying that session token. */
export async function signedIn(
  baseUrl: string,
  audience: 'console' | 'portal',
  email: string,
  password: string,
) {
  const result = await apiClient(baseUrl).post(`/api/${audience}/session`, { email, password });
  if (result.status !== 200)
    throw new Error(`Sign-in as ${email} failed: ${result.status} ${JSON.stringify(result.body)}`);
  return apiClient(baseUrl, { bearer: result.body.token });
}
