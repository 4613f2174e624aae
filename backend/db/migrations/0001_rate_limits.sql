CREATE TABLE "rate_limits" (
	"service" text PRIMARY KEY NOT NULL,
	"rate_per_sec" double precision NOT NULL,
	"burst" double precision NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone DEFAULT now() NOT NULL
);
