CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor" text NOT NULL,
	"details" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fanout_items" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"step" text NOT NULL,
	"service" text NOT NULL,
	"item_index" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"idempotency_key" text NOT NULL,
	"input" jsonb NOT NULL,
	"external_job_id" text,
	"result" jsonb,
	"attempt" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"last_error" text,
	"submitted_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "form_submissions" (
	"response_id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"form_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"workflow_id" text,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"recipient" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"delivered" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quota_reports" (
	"owner_email" text NOT NULL,
	"day" text NOT NULL,
	"usage" jsonb NOT NULL,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "step_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"step" text NOT NULL,
	"attempt" integer NOT NULL,
	"outcome" text NOT NULL,
	"input" jsonb,
	"output" jsonb,
	"error_category" text,
	"error" text,
	"worker_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workflows" (
	"id" text PRIMARY KEY NOT NULL,
	"owner_email" text NOT NULL,
	"owner_sub" text NOT NULL,
	"request_id" text,
	"status" text NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"request" jsonb NOT NULL,
	"outputs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp with time zone,
	"wake_seq" bigint DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"form_id" text,
	"failed_step" text,
	"last_error" text,
	"submitted_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspace_commands" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"owner_email" text NOT NULL,
	"spreadsheet_id" text,
	"step" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"idempotency_key" text NOT NULL,
	"lease_token" text,
	"lease_expires_at" timestamp with time zone,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "audit_events_workflow_idx" ON "audit_events" USING btree ("workflow_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "fanout_items_idem_idx" ON "fanout_items" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "fanout_items_due_idx" ON "fanout_items" USING btree ("service","status","run_after");--> statement-breakpoint
CREATE INDEX "fanout_items_workflow_idx" ON "fanout_items" USING btree ("workflow_id","step");--> statement-breakpoint
CREATE INDEX "form_submissions_workflow_idx" ON "form_submissions" USING btree ("workflow_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_outbox_dedupe_idx" ON "notification_outbox" USING btree ("dedupe_key","channel");--> statement-breakpoint
CREATE INDEX "notification_outbox_due_idx" ON "notification_outbox" USING btree ("status","run_after");--> statement-breakpoint
CREATE UNIQUE INDEX "quota_reports_owner_day_idx" ON "quota_reports" USING btree ("owner_email","day");--> statement-breakpoint
CREATE INDEX "step_runs_workflow_idx" ON "step_runs" USING btree ("workflow_id","id");--> statement-breakpoint
CREATE INDEX "workflows_due_idx" ON "workflows" USING btree ("run_after") WHERE "workflows"."run_after" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "workflows_owner_idx" ON "workflows" USING btree ("owner_email","created_at");--> statement-breakpoint
CREATE INDEX "workflows_status_idx" ON "workflows" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "workflows_form_idx" ON "workflows" USING btree ("form_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workflows_request_idx" ON "workflows" USING btree ("owner_email","request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workspace_commands_idem_idx" ON "workspace_commands" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "workspace_commands_owner_idx" ON "workspace_commands" USING btree ("owner_email","status","created_at");--> statement-breakpoint
CREATE INDEX "workspace_commands_workflow_idx" ON "workspace_commands" USING btree ("workflow_id");