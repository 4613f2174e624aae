import type { Slide } from '../../shared/contracts/assessment';
import type { CourseTopic } from './course-topics';
import type { BankQuestion } from './question-bank/define-bank';

/**
 * Writes the slides of one course, exactly `slideCount` of them:
 * title (always), recap (from 2 slides), learning objectives (from 3 slides), and the rest shared
 * among the course's skills in order; each skill's slides run overview -> key facts -> one
 * scenario per bank question -> pitfalls -> self-check -> review rounds.
 * The material comes from the profile (names, weights), the learner's gaps and the question bank.
 */

export interface CourseContext {
  certificationName: string;
  courseIndex: number;
  courseCount: number;
  title: string;
  topics: CourseTopic[];
  advanced: boolean;
  questionsForSkill: (domainId: string, skillId: string) => BankQuestion[];
}

const MAX_LIST_BULLETS = 6;

const pct = (value: number) => `${Math.round(value * 100)}%`;

function listed(lines: string[]): string[] {
  if (lines.length <= MAX_LIST_BULLETS) return lines;
  return [...lines.slice(0, MAX_LIST_BULLETS - 1), `…and ${lines.length - (MAX_LIST_BULLETS - 1)} more`];
}

function resultLine(topic: CourseTopic): string {
  if (topic.score === undefined) return 'Not covered by this assessment: reinforcement material';
  const label = topic.severity && topic.severity !== 'none' ? `${topic.severity} gap` : 'no gap';
  return `Your score: ${pct(topic.score)} (${label})`;
}

function titleSlide(ctx: CourseContext): Slide {
  const domains = [...new Set(ctx.topics.map((t) => t.ref.domainName))];
  return {
    title: ctx.title,
    bullets: [
      ctx.certificationName,
      `Course ${ctx.courseIndex} of ${ctx.courseCount}`,
      `Domains: ${domains.join(', ')}`,
      ctx.advanced ? 'Advanced review: the assessment found no skill gaps' : 'Built from your assessment results, most urgent skills first',
    ],
    speakerNotes: `Welcome to course ${ctx.courseIndex} of ${ctx.courseCount} for ${ctx.certificationName}. This course covers ${ctx.topics.length} skill(s) in ${domains.join(' and ')}.`,
  };
}

function objectivesSlide(ctx: CourseContext): Slide {
  const verb = ctx.advanced ? 'Deepen' : 'Strengthen';
  return {
    title: 'Learning objectives',
    bullets: listed(ctx.topics.map((t) => `${verb}: ${t.ref.skillName}`)),
    speakerNotes: 'By the end of this course learners can explain and apply each of these skills in exam-style scenarios.',
  };
}

function recapSlide(ctx: CourseContext): Slide {
  const minutes = ctx.topics.reduce((sum, t) => sum + t.recommendedMinutes, 0);
  return {
    title: 'Recap and next steps',
    bullets: [
      ...listed(ctx.topics.map((t) => `${t.ref.skillName}: ${t.recommendedMinutes} min of practice`)),
      'Retake the assessment to measure your progress',
    ],
    speakerNotes: `Summarise the key points of each skill. Recommended follow-up study: about ${minutes} minutes in total.`,
  };
}

/** The slides one skill can fill, in teaching order; `index` past the end yields review rounds. */
function topicSlide(topic: CourseTopic, questions: BankQuestion[], index: number): Slide {
  const { skillName, domainName, domainWeight } = topic.ref;
  const scenarios = questions.map((q, k) => ({
    title: `${skillName}: scenario ${k + 1}`,
    bullets: [q.prompt, `Best answer: ${q.correct}`, `Tempting but wrong: ${q.distractors[0]}`],
    speakerNotes: `Read the scenario aloud, let learners choose, then explain why "${q.correct}" is right and the alternatives are not.`,
  }));
  const sequence: Slide[] = [
    {
      title: skillName,
      bullets: [
        `Domain: ${domainName} (${pct(domainWeight)} of the exam)`,
        resultLine(topic),
        `Recommended study time: ${topic.recommendedMinutes} min`,
      ],
      speakerNotes: `Why this skill matters: ${domainName} carries ${pct(domainWeight)} of the exam. ${resultLine(topic)}.`,
    },
  ];
  if (questions.length > 0) {
    sequence.push(
      {
        title: `${skillName}: key facts`,
        bullets: listed(questions.map((q) => q.correct)),
        speakerNotes: `The facts behind the exam questions on ${skillName}. Connect each to a real design decision.`,
      },
      ...scenarios,
      {
        title: `${skillName}: common pitfalls`,
        bullets: listed(questions.map((q) => `Not: ${q.distractors[0]}`)),
        speakerNotes: 'These are the most tempting wrong answers. Discuss why each one fails the requirement.',
      },
      {
        title: `${skillName}: check your understanding`,
        bullets: listed(questions.map((q) => q.prompt)),
        speakerNotes: 'Pause here. Learners answer each question on their own before moving on.',
      },
    );
  }
  if (index < sequence.length) return sequence[index];
  const round = index - sequence.length + 1;
  const base = scenarios.length > 0 ? scenarios[(round - 1) % scenarios.length] : sequence[0];
  return { ...base, title: `${skillName}: review ${round}` };
}

export function writeCourseSlides(ctx: CourseContext, slideCount: number): Slide[] {
  const hasRecap = slideCount >= 2;
  const hasObjectives = slideCount >= 3;
  const body = slideCount - 1 - (hasRecap ? 1 : 0) - (hasObjectives ? 1 : 0);

  // Share the body among the skills in order: earlier (more urgent) skills get the spare slides.
  const shown = ctx.topics.slice(0, Math.max(0, Math.min(body, ctx.topics.length)));
  const bodySlides: Slide[] = [];
  shown.forEach((topic, i) => {
    const count = Math.floor(body / shown.length) + (i < body % shown.length ? 1 : 0);
    const questions = ctx.questionsForSkill(topic.ref.domainId, topic.ref.skillId);
    for (let k = 0; k < count; k++) bodySlides.push(topicSlide(topic, questions, k));
  });

  return [titleSlide(ctx), ...(hasObjectives ? [objectivesSlide(ctx)] : []), ...bodySlides, ...(hasRecap ? [recapSlide(ctx)] : [])];
}
