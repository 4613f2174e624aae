import { API_PATHS } from '../../shared/contracts/api';

/** A thin fetch client for the backend API, as the add-on (ID token) or an operator (admin token). */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export class TestApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: () => Promise<string> | string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.token()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  createWorkflow(body: Record<string, unknown>) {
    return this.call('POST', API_PATHS.workflows, body);
  }
  getWorkflow(id: string) {
    return this.call('GET', API_PATHS.workflow(id));
  }
  claim(body: Record<string, unknown> = {}) {
    return this.call('POST', API_PATHS.claimCommands, body);
  }
  complete(id: string, body: Record<string, unknown>) {
    return this.call('POST', API_PATHS.completeCommand(id), body);
  }
  renew(id: string, body: Record<string, unknown>) {
    return this.call('POST', API_PATHS.renewCommand(id), body);
  }
  submitForm(body: Record<string, unknown>) {
    return this.call('POST', API_PATHS.formSubmissions, body);
  }
}
