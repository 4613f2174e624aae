import type { Slide } from '../../shared/contracts/assessment';
import type { CreatePresentationRequest, CreateVideoRequest } from './presgen-contract';
import type { AvatarGenerateRequest, RenderRequest, TrainingVideoRequest } from './presgen-real-contract';

/**
 * How the project's requests (the fan-out items of steps 9 and 10, in the jobs contract's shape)
 * become the real PresGen requests. docs/integrations/presgen.md documents every field.
 */

export interface VoiceSettings {
  /** PresGen-Core training: `voice_profile_name` (a profile from GET /training/voice-profiles). */
  voiceProfileName: string;
  /** PresGen-Core training: `quality_level`. */
  trainingQuality: 'fast' | 'standard' | 'high';
  /** PresGen-Avatar: `quality` and `voice_config`. */
  avatarQuality: string;
  avatarVoice: { provider: string; voice_id: string; language: string };
}

/** The outline as the text PresGen-Core turns into slides: one section per slide, in order. */
export function outlineReportText(title: string, slides: Slide[]): string {
  const sections = slides.map((slide, i) => {
    const bullets = slide.bullets.map((b) => `- ${b}`).join('\n');
    const notes = slide.speakerNotes ? `\nSpeaker notes: ${slide.speakerNotes}` : '';
    return `## Slide ${i + 1}: ${slide.title}\n${bullets}${notes}`;
  });
  return `# ${title}\n\n${sections.join('\n\n')}`;
}

export function toRenderRequest(req: CreatePresentationRequest, idempotencyKey: string): RenderRequest {
  return {
    report_text: outlineReportText(req.title, req.slides),
    // PresGen-Core's own dedupe: it logs the id and, with use_cache, answers a repeated identical
    // text from its cache instead of building a second deck.
    request_id: idempotencyKey,
    slides: req.slides.length,
    use_cache: true,
  };
}

export function toTrainingRequest(req: CreateVideoRequest, voice: VoiceSettings): TrainingVideoRequest {
  return {
    mode: 'presentation_only',
    voice_profile_name: voice.voiceProfileName,
    // The narration: one paragraph of speaker notes per slide. With google_slides_url set,
    // PresGen narrates that deck and does not generate new slides.
    content_text: req.script.join('\n\n'),
    google_slides_url: req.presentationUrl,
    quality_level: voice.trainingQuality,
    use_cache: true,
  };
}

export function toAvatarRequest(req: CreateVideoRequest, voice: VoiceSettings): AvatarGenerateRequest {
  return {
    presentation_url: req.presentationUrl,
    mode: 'presentation-only',
    quality: voice.avatarQuality,
    voice_config: { ...voice.avatarVoice },
    metadata: { title: req.title, ...(req.metadata ?? {}) },
  };
}

/**
 * `download_url` is relative to PresGen-Core (`/training/download/{job_id}`): appended to the
 * configured base URL (keeping a path prefix such as a reverse proxy's); an absolute URL stays.
 */
export function absoluteUrl(baseUrl: string, url: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  return new URL(`${baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`).toString();
}
