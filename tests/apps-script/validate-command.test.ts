import { describe, expect, it } from 'vitest';
import { validateClaimedCommand } from '../../apps-script/commands/validate';

const envelope = { id: 'cmd-1', workflowId: 'wf-1', leaseToken: 'lease-1', leaseExpiresAt: '2026-03-01T10:02:00Z', attempt: 1 };

describe('claimed command validation', () => {
  it('accepts a command that matches its contract', () => {
    const result = validateClaimedCommand({
      ...envelope,
      type: 'write_tab',
      payload: {
        spreadsheetId: 'ss-1',
        tabName: 'Gap_Analysis',
        rows: [
          ['Domain', 'Score'],
          ['Net', 0.5],
        ],
      },
    });
    expect(result.ok).toBe(true);
    expect(result.ok && result.command.type).toBe('write_tab');
  });

  it('rejects a bad payload, names the field and keeps id and lease token to answer with', () => {
    const result = validateClaimedCommand({
      ...envelope,
      type: 'create_assessment_assets',
      payload: {
        workflowId: 'wf-1',
        folderName: 'f',
        formTitle: 't',
        formDescription: '',
        resultsSpreadsheetName: 'r',
        destinationSpreadsheetId: 'ss-1',
        items: [{ questionId: 'q1', title: 'Q', choices: ['only one'], correctIndex: 0, points: 1 }],
        learnerEmail: 'learner@example.com',
        shareWithLearner: true,
      },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.id).toBe('cmd-1');
    expect(result.leaseToken).toBe('lease-1');
    expect(result.message).toContain('invalid create_assessment_assets');
    expect(result.message).toContain('payload.items.0.choices');
  });

  it('rejects an unknown command type', () => {
    const result = validateClaimedCommand({ ...envelope, type: 'format_hard_drive', payload: {} });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/format_hard_drive/);
  });

  it('cannot answer a command without id or lease token', () => {
    const result = validateClaimedCommand({ type: 'trash_files', payload: { fileIds: ['a'] } });
    expect(result.ok).toBe(false);
    expect(!result.ok && [result.id, result.leaseToken]).toEqual([undefined, undefined]);
    expect(validateClaimedCommand(null).ok).toBe(false);
  });
});
