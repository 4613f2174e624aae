/** Public entry of the Workspace emulator (test infrastructure). */
export {
  createWorkspaceEmulator,
  type EmulatorOptions,
  type OverlapOutcome,
  type OverlapSpec,
  type TriggerRunResult,
  type WorkspaceEmulator,
} from './emulator';
export { ScriptExecutionError } from './realm';
export { AUTHORIZATION_REQUIRED, DEFAULT_DAILY_QUOTAS, EXCEEDED_EXECUTION_TIME, type QuotaName } from './runtime';
export { MAX_TRIGGERS_PER_USER, TRIGGER_ERRORS, type SyncIdentity } from './script-app';
export { LOCK_TIMEOUT_MESSAGE } from './lock';
export { SHARING_POLICY_ERROR } from './drive';
export { AppsScriptManifest, SCOPE } from './manifest';
export type * from './state';
