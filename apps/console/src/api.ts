/** Who the console speaks as: a bearer token (pasted, or a viewer token), the tenant it reads, and the API's origin. */
export interface Session {
  readonly token: string;
  readonly tenant: string;
  /** The ledger's origin, "" for the page's own. */
  readonly base: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | undefined>;

/** The public HTTP API of the ledger, and nothing else: the console has no back door. */
export class Api {
  constructor(readonly session: Session) {}

  async json<T>(path: string, params: Params = {}): Promise<T> {
    return (await this.fetch(path, params, 'application/json')).json() as Promise<T>;
  }

  async text(path: string, params: Params = {}): Promise<string> {
    return (await this.fetch(path, params, 'text/plain')).text();
  }

  async blob(path: string, params: Params = {}): Promise<Blob> {
    return (await this.fetch(path, params, '*/*')).blob();
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(this.session.base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await errorOf(response);
    return response.json() as Promise<T>;
  }

  private async fetch(path: string, params: Params, accept: string): Promise<Response> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(name, value);
    const url = `${this.session.base}${path}${query.size > 0 ? `?${query}` : ''}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.session.token}`, accept } });
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return new ApiError(response.status, body?.error?.message ?? `${response.status} ${response.statusText}`);
}
