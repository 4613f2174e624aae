import { z } from 'zod';
import { API_PATHS, WorkflowDetail, WorkflowPage } from '../../shared/contracts/api';
import type { WorkflowStatus } from '../../shared/workflow-status';

/**
 * The instructor's read-only view of the backend API, for the demo and the end-to-end tests:
 * the same endpoints the sidebar uses, authenticated with a signed ID token, answers validated.
 */

export class InstructorApi {
  constructor(
    readonly baseUrl: string,
    private readonly idToken: () => string | Promise<string>,
  ) {}

  getWorkflow(id: string): Promise<WorkflowDetail> {
    return this.get(API_PATHS.workflow(id), WorkflowDetail);
  }

  listWorkflows(): Promise<WorkflowPage> {
    return this.get(`${API_PATHS.workflows}?limit=100`, WorkflowPage);
  }

  private async get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    const res = await this.fetchOnce(path);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path.split('?')[0]} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`GET ${path.split('?')[0]}: unexpected answer at ${parsed.error.issues[0]?.path.join('.') || 'body'}`);
    return parsed.data;
  }

  /**
   * A GET, sent again once when a pooled keep-alive connection turned out to be closed: the emulator
   * blocks this thread during its synchronous fetches, so the server's close of an idle connection
   * may not have been seen yet when the next request picks that connection.
   */
  private async fetchOnce(path: string): Promise<Response> {
    const send = async () => fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${await this.idToken()}` } });
    try {
      return await send();
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw err;
      return send();
    }
  }
}

/** States a workflow does not leave without a person (terminal ones, and NEEDS_ATTENTION). */
export const STOPPED_STATUSES: ReadonlySet<WorkflowStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'EXPIRED', 'NEEDS_ATTENTION']);
