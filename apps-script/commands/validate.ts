import { ClaimedCommand } from '../../shared/contracts/commands';

/**
 * Claimed commands are external input: each is checked against the shared contract on its own.
 * An invalid one is answered with a non-retryable error (when it carries an id and lease token to
 * answer with) instead of failing the whole batch.
 */
export type ValidatedCommand = { ok: true; command: ClaimedCommand } | { ok: false; id?: string; leaseToken?: string; message: string };

export function validateClaimedCommand(raw: unknown): ValidatedCommand {
  const parsed = ClaimedCommand.safeParse(raw);
  if (parsed.success) return { ok: true, command: parsed.data };
  const envelope = (raw && typeof raw === 'object' ? raw : {}) as { id?: unknown; leaseToken?: unknown; type?: unknown };
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(command)'}: ${issue.message}`)
    .join('; ');
  return {
    ok: false,
    id: typeof envelope.id === 'string' && envelope.id ? envelope.id : undefined,
    leaseToken: typeof envelope.leaseToken === 'string' && envelope.leaseToken ? envelope.leaseToken : undefined,
    message: `invalid ${typeof envelope.type === 'string' ? envelope.type : 'command'}: ${problems}`.slice(0, 2000),
  };
}
