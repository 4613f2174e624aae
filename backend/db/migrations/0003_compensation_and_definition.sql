ALTER TABLE "workflows" ADD COLUMN "compensation_key" text;--> statement-breakpoint
ALTER TABLE "workflows" ADD COLUMN "definition_version" integer DEFAULT 1 NOT NULL;
