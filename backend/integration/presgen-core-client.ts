import { CreatePresentationRequest, PRESGEN_PATHS, PresentationJobStatus } from './presgen-contract';
import { PresgenJobClient, type PresgenClientOptions } from './presgen-job-client';

/** PresGen Core: one slide deck per course (step 9). */
export class PresgenCoreClient extends PresgenJobClient<CreatePresentationRequest, PresentationJobStatus> {
  constructor(opts: PresgenClientOptions) {
    super(
      { service: 'presgen_core', submitPath: PRESGEN_PATHS.presentations, input: CreatePresentationRequest, status: PresentationJobStatus },
      opts,
    );
  }
}
