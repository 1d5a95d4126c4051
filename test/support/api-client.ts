/** A minimal HTTP client for tests that talk to real service processes (not supertest). */
export interface ApiResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes, asserted by tests
  headers: Headers;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get(path: string): Promise<ApiResponse> {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse> {
    return this.request('POST', path, body ?? {}, headers);
  }

  async upload(
    path: string,
    fields: Record<string, string>,
    file: Buffer,
    filename: string,
  ): Promise<ApiResponse> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([file]), filename);
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method: 'POST',
      headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
      body: form,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }
}

/** Creates an organisation (if needed), a user with roles and a token, through the admin. */
export async function actorVia(
  admin: ApiClient,
  roles: string[],
  organisation: string,
): Promise<{ client: ApiClient; userId: string }> {
  let org = await admin.post('/organisations', { name: organisation });
  if (org.status === 409) {
    const all = await admin.get('/organisations');
    org = { ...org, body: all.body.find((o: { name: string }) => o.name === organisation) };
  }
  const email = `${roles.join('-')}.${Math.random().toString(36).slice(2, 10)}@example.org`;
  const user = await admin.post('/users', {
    name: `${roles.join('+')} ${organisation}`,
    email,
    organisationId: org.body.id,
    roles,
  });
  if (user.status !== 201) throw new Error(`user: ${user.status} ${JSON.stringify(user.body)}`);
  const token = await admin.post(`/users/${user.body.id}/tokens`);
  return { client: admin.as(token.body.token), userId: user.body.id };
}
