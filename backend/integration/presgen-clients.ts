import type { Config } from '../config';
import type { Database } from '../db/client';
import type { JobClient } from './job-client';
import { CachingJobClient } from './content-cache';
import type { OutboundHttpClient } from './http-client';
import { PresgenAvatarClient } from './presgen-avatar-client';
import { PresgenCoreClient } from './presgen-core-client';
import { PresgenAvatarApiClient, presgenRenderClient, presgenTrainingClient, type RealClientOptions } from './presgen-real-clients';
import type { VoiceSettings } from './presgen-real-mapping';

/**
 * Picks the adapter of each PresGen service by its configured protocol and wraps it in the
 * content cache (unless switched off). Everything behind this is the one job-client port the
 * fan-out worker drives.
 */

export interface PresgenClientDeps {
  config: Config;
  http: OutboundHttpClient;
  database: Database;
  workerId: string;
  coreUrl: string;
  avatarUrl: string;
}

export function createPresgenClients(deps: PresgenClientDeps): { core: JobClient; avatar: JobClient } {
  const { config } = deps;
  const voice: VoiceSettings = {
    voiceProfileName: config.PRESGEN_VOICE_PROFILE,
    trainingQuality: config.PRESGEN_TRAINING_QUALITY,
    avatarQuality: config.PRESGEN_AVATAR_QUALITY,
    avatarVoice: { provider: 'openai', voice_id: config.PRESGEN_AVATAR_VOICE_ID, language: 'en-US' },
  };
  const real = (baseUrl: string, timeoutMs?: number): RealClientOptions => ({
    baseUrl,
    token: config.PRESGEN_API_TOKEN,
    http: deps.http,
    database: deps.database,
    workerId: deps.workerId,
    timeoutMs,
  });
  const jobs = { token: config.PRESGEN_API_TOKEN, http: deps.http };

  const core: JobClient =
    config.PRESGEN_CORE_PROTOCOL === 'presgen'
      ? presgenRenderClient(real(deps.coreUrl, config.PRESGEN_SYNC_TIMEOUT_MS))
      : (new PresgenCoreClient({ ...jobs, baseUrl: deps.coreUrl }) as unknown as JobClient);

  let avatar: JobClient;
  switch (config.PRESGEN_AVATAR_PROTOCOL) {
    case 'presgen-training':
      avatar = presgenTrainingClient(real(deps.avatarUrl, config.PRESGEN_SYNC_TIMEOUT_MS), voice);
      break;
    case 'presgen-avatar':
      avatar = new PresgenAvatarApiClient(real(deps.avatarUrl), voice);
      break;
    default:
      avatar = new PresgenAvatarClient({ ...jobs, baseUrl: deps.avatarUrl }) as unknown as JobClient;
  }

  if (!config.CONTENT_CACHE_ENABLED) return { core, avatar };
  const ttlMs = config.CONTENT_CACHE_TTL_HOURS * 3_600_000;
  return {
    core: new CachingJobClient(core, { database: deps.database, service: 'presgen_core', protocol: config.PRESGEN_CORE_PROTOCOL, ttlMs }),
    avatar: new CachingJobClient(avatar, {
      database: deps.database,
      service: 'presgen_avatar',
      protocol: config.PRESGEN_AVATAR_PROTOCOL,
      ttlMs,
    }),
  };
}
