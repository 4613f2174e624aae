import { CreateVideoRequest, PRESGEN_PATHS, VideoJobStatus } from './presgen-contract';
import { PresgenJobClient, type PresgenClientOptions } from './presgen-job-client';

/** PresGen Avatar: one narrated video per presentation (step 10). */
export class PresgenAvatarClient extends PresgenJobClient<CreateVideoRequest, VideoJobStatus> {
  constructor(opts: PresgenClientOptions) {
    super({ service: 'presgen_avatar', submitPath: PRESGEN_PATHS.videos, input: CreateVideoRequest, status: VideoJobStatus }, opts);
  }
}
