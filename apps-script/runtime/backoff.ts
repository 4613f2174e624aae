/** The add-on uses the project's one backoff function (equal jitter, capped). */
export { backoffDelayMs, type BackoffOptions } from '../../shared/backoff';
