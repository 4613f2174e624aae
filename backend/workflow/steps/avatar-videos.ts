import { z } from 'zod';
import { CourseOutline } from '../../../shared/contracts/assessment';
import type { FanoutItemInput } from '../fanout/fanout-worker';
import { defineStep, done, outputOf, park } from '../step-registry';
import { generateCourseOutlines } from './course-outlines';
import { awaitFanout, cancelFanout } from './fanout-step';
import { Deliverable, generatePresentations } from './presentations';

/**
 * Step 10: one PresGen Avatar video per deck. Most were already started by the fan-out worker the
 * moment their deck finished; this step makes sure all exist (same idempotency keys) and waits.
 * Skippable (shared STEP_INFO): switched off per workflow, by FEATURE_AVATAR_VIDEOS, or skipped by an operator.
 */
export const AvatarVideosOutput = z.object({ skipped: z.boolean(), reason: z.string().optional(), videos: z.array(Deliverable) });

export const generateAvatarVideos = defineStep({
  status: 'GENERATING_AVATAR_VIDEOS',
  input: z.object({
    workflowId: z.string(),
    avatarVideos: z.boolean(),
    presentations: z.array(Deliverable),
    courses: z.array(CourseOutline),
  }),
  output: AvatarVideosOutput,
  selectInput: (wf) => ({
    workflowId: wf.id,
    avatarVideos: (wf.request as { avatarVideos: boolean }).avatarVideos,
    presentations: outputOf(wf, generatePresentations).presentations,
    courses: outputOf(wf, generateCourseOutlines).courses,
  }),
  async run({ workflow, input, deps }) {
    if (!input.avatarVideos) return done({ skipped: true, reason: 'avatar videos not requested', videos: [] });
    if (!deps.settings.featureAvatarVideos) return done({ skipped: true, reason: 'FEATURE_AVATAR_VIDEOS is off', videos: [] });
    const specs = input.presentations.map((p) => {
      const course = input.courses.find((c) => c.index === p.course);
      const item: FanoutItemInput = {
        request: {
          title: p.title,
          presentationUrl: p.url,
          script: (course?.slides ?? []).map((s) => s.speakerNotes || s.title),
          metadata: { workflowId: input.workflowId, course: p.course },
        },
      };
      return { itemIndex: p.course, input: item };
    });
    const items = await awaitFanout(deps, workflow, 'GENERATING_AVATAR_VIDEOS', 'presgen_avatar', specs);
    if (!items) return park('waiting for PresGen Avatar videos');
    return done({
      skipped: false,
      videos: items.map((i) => ({
        course: i.itemIndex,
        title: (i.input as FanoutItemInput).request.title as string,
        url: (i.result as { url: string }).url,
        jobId: i.externalJobId ?? '',
      })),
    });
  },
  compensate: ({ workflow, deps }) => cancelFanout(deps, workflow),
});
