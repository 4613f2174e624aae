/**
 * What the add-on needs beyond @types/google-apps-script.
 */

/** Injected by esbuild `define` at build time (scripts/build-apps-script.ts); no trailing slash. */
declare const __BACKEND_URL__: string;

declare namespace GoogleAppsScript {
  namespace Forms {
    interface Form {
      /**
       * Forms created since 2026 start unpublished: publishing is an explicit step, and a
       * submission to an unpublished form fails. Missing from @types/google-apps-script 2.0.x.
       */
      setPublished(published: boolean): Form;
      isPublished(): boolean;
      /** Newer than @types/google-apps-script 2.0.x: how respondent emails are collected. */
      setEmailCollectionType?(type: string): Form;
    }
    interface FormApp {
      EmailCollectionType?: { DO_NOT_COLLECT: string; VERIFIED: string; RESPONDER_INPUT: string };
    }
  }
}
