import { describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  SheetUrl,
  StartAssessmentForm,
  WorkflowId,
  buildCreateWorkflowRequest,
  parseInput,
} from '../../apps-script/sidebar-input';

const valid = {
  certificationId: 'aws-saa',
  learnerEmail: ' learner@example.com ',
  courseCount: '3',
  slidesPerCourse: 12,
  avatarVideos: 'on',
  shareWithLearner: false,
};

describe('sidebar input', () => {
  it('coerces HTML form values and builds the CreateWorkflowRequest', () => {
    const form = parseInput(StartAssessmentForm, valid);
    expect(form).toEqual({
      certificationId: 'aws-saa',
      learnerEmail: 'learner@example.com',
      courseCount: 3,
      slidesPerCourse: 12,
      avatarVideos: true,
      shareWithLearner: false,
    });
    expect(buildCreateWorkflowRequest(form, 'ss-1', () => 'req-1')).toEqual({ ...form, spreadsheetId: 'ss-1', requestId: 'req-1' });
    expect(buildCreateWorkflowRequest({ ...form, requestId: 'click-7' }, 'ss-1', () => 'unused').requestId).toBe('click-7');
  });

  it('names the field as the sidebar labels it', () => {
    expect(() => parseInput(StartAssessmentForm, { ...valid, courseCount: 6 })).toThrow(/^Number of courses:/);
    expect(() => parseInput(StartAssessmentForm, { ...valid, slidesPerCourse: 0 })).toThrow(/^Slides per course:/);
    expect(() => parseInput(StartAssessmentForm, { ...valid, learnerEmail: 'not-an-email' })).toThrow(/^Learner email:/);
    expect(() => parseInput(StartAssessmentForm, { ...valid, certificationId: '' })).toThrow(/^Certification:/);
    expect(() => parseInput(StartAssessmentForm, null)).toThrow(InvalidInputError);
  });

  it('accepts only Google Sheets links for Resume with Sheet URL', () => {
    expect(parseInput(SheetUrl, 'https://docs.google.com/spreadsheets/d/abc_123-XYZ/edit#gid=0', 'sheetUrl')).toContain(
      '/spreadsheets/d/abc_123-XYZ',
    );
    expect(() => parseInput(SheetUrl, 'https://example.com/file', 'sheetUrl')).toThrow(
      /^Sheet URL: must be a link to a Google Sheets spreadsheet/,
    );
    expect(() => parseInput(SheetUrl, 'http://docs.google.com/spreadsheets/d/abc', 'sheetUrl')).toThrow(/^Sheet URL:/);
    expect(() => parseInput(WorkflowId, '', 'workflowId')).toThrow(/^Workflow:/);
  });
});
