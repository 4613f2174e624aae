import { externalRequests } from '../../backend/observability/metrics';
import type { CreatePresentationRequest, CreateVideoRequest } from '../../backend/integration/presgen-contract';

export function deckInput(course = 1, slides = 3): CreatePresentationRequest {
  return {
    title: `Course ${course}: VPC design`,
    slides: Array.from({ length: slides }, (_, i) => ({
      title: `Slide ${i + 1}`,
      bullets: ['Subnets', 'Route tables'],
      speakerNotes: `In this slide we cover part ${i + 1} of the topic.`,
    })),
    metadata: { workflowId: 'wf-test', course },
  };
}

export function videoInput(presentationUrl: string): CreateVideoRequest {
  return { title: 'Course 1 video', presentationUrl, script: ['Welcome to the course.', 'Let us begin with subnets.'] };
}

/** Current value of presgen_external_requests_total for one label set. */
export async function externalCount(service: string, operation: string, outcome: string): Promise<number> {
  const metric = await externalRequests.get();
  const hit = metric.values.find((v) => v.labels.service === service && v.labels.operation === operation && v.labels.outcome === outcome);
  return hit?.value ?? 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs fn and returns the error it threw (fails the test if it did not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}
