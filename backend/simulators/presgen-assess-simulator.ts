import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  PRESGEN_ASSESS_GENERATE_PATH,
  QuestionGenerationRequest,
  type QuestionGenerationResponse,
} from '../assessment/presgen-assess-question-engine';
import { readJsonBody, sendJson } from './simulator-http';

/**
 * PresGen-Assess's AI question generator as it answers (ai_question_generation.py), simulated:
 * POST /api/v1/ai-question-generator/generate → `{success, assessment_data: {questions, metadata},
 * message}` with questions `{id, question_text, question_type, options: ["A) …"], correct_answer:
 * "A", domain, difficulty, source_references, quality_score}`, one per requested seat of
 * `domain_distribution`. 422 `{detail: [...], message: "Validation failed"}` for a bad body, 400
 * `{detail}` for a zero count or an empty distribution, 500 `{detail}` for an unknown profile
 * (the real service fails inside the generator) or an injected fault.
 */

export interface PresgenAssessSimulator {
  url: string;
  /** Bodies of the generate requests, in order. */
  requests: unknown[];
  failNext(count: number): void;
  close(): Promise<void>;
}

export async function startPresgenAssessSimulator(opts: { knownProfileIds: string[]; token?: string }): Promise<PresgenAssessSimulator> {
  const requests: unknown[] = [];
  let failures = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    if (req.method === 'GET' && path === '/api/v1/ai-question-generator/health')
      return sendJson(res, 200, { status: 'healthy', service: 'ai_question_generator' });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return sendJson(res, 401, { detail: 'Not authenticated' });
    if (req.method !== 'POST' || path !== PRESGEN_ASSESS_GENERATE_PATH) return sendJson(res, 404, { detail: 'Not Found' });
    const body = await readJsonBody(req);
    requests.push(body);
    const parsed = QuestionGenerationRequest.safeParse(body);
    if (!parsed.success) {
      return sendJson(res, 422, {
        detail: parsed.error.issues.map((i) => ({ type: i.code, loc: ['body', ...i.path], msg: i.message })),
        message: 'Validation failed',
      });
    }
    const request = parsed.data;
    if (request.question_count <= 0) return sendJson(res, 400, { detail: 'Question count must be greater than 0' });
    if (Object.keys(request.domain_distribution).length === 0)
      return sendJson(res, 400, { detail: 'Domain distribution must be specified' });
    if (failures > 0) {
      failures -= 1;
      return sendJson(res, 500, { detail: 'AI question generation failed: simulated failure' });
    }
    if (!opts.knownProfileIds.includes(request.certification_profile_id)) {
      return sendJson(res, 500, {
        detail: `AI question generation failed: Certification profile ${request.certification_profile_id} not found`,
      });
    }
    const questions = Object.entries(request.domain_distribution).flatMap(([domain, count]) =>
      Array.from({ length: count }, (_, i) => {
        const correct = (i * 7 + domain.length) % 4;
        return {
          id: randomUUID(),
          question_text: `Scenario ${i + 1} in ${domain}: which option is the best practice?`,
          question_type: 'multiple_choice',
          options: ['A', 'B', 'C', 'D'].map(
            (letter, k) => `${letter}) ${k === correct ? 'The recommended approach' : `Alternative ${k + 1}`} for ${domain} #${i + 1}`,
          ),
          correct_answer: 'ABCD'[correct],
          domain,
          difficulty: request.difficulty_level,
          source_references: [],
          quality_score: 8.5,
        };
      }),
    );
    const answer: QuestionGenerationResponse & { message: string } = {
      success: true,
      assessment_data: {
        questions,
        metadata: {
          generation_time_ms: 5,
          total_questions: questions.length,
          domain_distribution: request.domain_distribution,
          quality_scores: { relevance: 8.5, accuracy: 8.5, difficulty_calibration: 8.5, overall: 8.5 },
          certification_name: 'Simulated',
          difficulty_level: request.difficulty_level,
          correlation_id: randomUUID(),
        },
      },
      message: 'AI question generation completed successfully',
    };
    sendJson(res, 200, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { detail: 'simulator error' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext: (count) => {
      failures += count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
