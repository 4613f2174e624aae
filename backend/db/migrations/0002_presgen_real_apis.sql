CREATE TABLE "presgen_submissions" (
	"id" text PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"workflow_id" text NOT NULL,
	"service" text NOT NULL,
	"protocol" text NOT NULL,
	"worker_id" text NOT NULL,
	"outcome" text DEFAULT 'in_flight' NOT NULL,
	"possible_duplicate_of" text,
	"external_id" text,
	"result" jsonb,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "content_cache" (
	"key" text PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"protocol" text NOT NULL,
	"status" text NOT NULL,
	"owner_key" text NOT NULL,
	"owner_job_id" text,
	"result" jsonb,
	"hits" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ready_at" timestamp with time zone,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "presgen_submissions_key_idx" ON "presgen_submissions" USING btree ("idempotency_key","started_at");
--> statement-breakpoint
CREATE INDEX "content_cache_owner_job_idx" ON "content_cache" USING btree ("owner_job_id");
