CREATE TABLE IF NOT EXISTS "integration_events" (
	"service" text NOT NULL,
	"kind" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "integration_events_service_kind_bucket_pk" PRIMARY KEY("service","kind","bucket")
);
