import { z } from 'zod';
import { CourseOutline } from '../../../shared/contracts/assessment';
import type { FanoutItemInput } from '../fanout/fanout-worker';
import { defineStep, done, outputOf, park } from '../step-registry';
import { generateCourseOutlines } from './course-outlines';
import { awaitFanout, cancelFanout } from './fanout-step';

/** Step 9: one PresGen Core deck per course, all in parallel under the global cap. */
export const Deliverable = z.object({ course: z.number().int(), title: z.string(), url: z.url(), jobId: z.string() });
export const PresentationsOutput = z.object({ presentations: z.array(Deliverable) });

export const generatePresentations = defineStep({
  status: 'GENERATING_PRESENTATIONS',
  input: z.object({ workflowId: z.string(), courses: z.array(CourseOutline), videos: z.boolean() }),
  output: PresentationsOutput,
  selectInput: (wf) => ({
    workflowId: wf.id,
    courses: outputOf(wf, generateCourseOutlines).courses,
    videos: (wf.request as { avatarVideos: boolean }).avatarVideos,
  }),
  async run({ workflow, input, deps }) {
    const wantVideos = input.videos && deps.settings.featureAvatarVideos;
    const specs = input.courses.map((course) => {
      const metadata = { workflowId: input.workflowId, course: course.index };
      const item: FanoutItemInput = {
        request: { title: course.title, slides: course.slides, metadata },
        // The video starts as soon as its own deck is ready, not after the slowest deck.
        video: wantVideos
          ? { step: 'GENERATING_AVATAR_VIDEOS', title: course.title, script: course.slides.map((s) => s.speakerNotes || s.title), metadata }
          : undefined,
      };
      return { itemIndex: course.index, input: item };
    });
    const items = await awaitFanout(deps, workflow, 'GENERATING_PRESENTATIONS', 'presgen_core', specs);
    if (!items) return park('waiting for PresGen Core decks');
    return done({
      presentations: items.map((i) => ({
        course: i.itemIndex,
        title: (i.input as FanoutItemInput).request.title as string,
        url: (i.result as { url: string }).url,
        jobId: i.externalJobId ?? '',
      })),
    });
  },
  compensate: ({ workflow, deps }) => cancelFanout(deps, workflow),
});
