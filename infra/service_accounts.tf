# One service account per component, each holding only what that component touches. Runtime
# accounts get no project-wide roles at all: secret, topic, subscription and invoker grants are made
# on the single resource they concern (see secrets.tf, pubsub.tf, functions.tf, scheduler.tf).

locals {
  # Runtime identities: the relay, the inbound handler (on_message), the Atlantic webhook, the
  # settler of recorded webhooks (settle_supplier_event), the scheduled jobs and the console.
  runtime_components = {
    relay   = "WhatsApp relay on Cloud Run"
    handler = "on_message function (inbound WhatsApp messages)"
    webhook = "atlantic_webhook function"
    settler = "settle_supplier_event function (recorded Atlantic webhooks)"
    jobs    = "scheduled job functions"
    console = "console function (the owner's web console)"
  }
}

resource "google_service_account" "runtime" {
  for_each = local.runtime_components

  account_id   = "${var.name_prefix}-${each.key}"
  display_name = "Sales bot: ${each.value}"
  depends_on   = [google_project_service.required]
}

# Identity Pub/Sub uses to call on_message (OIDC push); it may only invoke that one function.
resource "google_service_account" "inbound_push" {
  account_id   = "${var.name_prefix}-inbound-push"
  display_name = "Sales bot: Pub/Sub push to on_message"
  depends_on   = [google_project_service.required]
}

# Identity Pub/Sub uses to call settle_supplier_event (OIDC push from atl-events); it may only
# invoke that one function.
resource "google_service_account" "events_push" {
  account_id   = "${var.name_prefix}-events-push"
  display_name = "Sales bot: Pub/Sub push to settle_supplier_event"
  depends_on   = [google_project_service.required]
}

# Identity Cloud Scheduler uses to call the job functions (OIDC); invoker on those four only.
resource "google_service_account" "scheduler" {
  account_id   = "${var.name_prefix}-scheduler"
  display_name = "Sales bot: Cloud Scheduler job caller"
  depends_on   = [google_project_service.required]
}

# Identity that builds the function images and the relay image (infra/cloudbuild-relay.yaml,
# passed with --service-account), instead of the default Cloud Build or compute account: new
# projects no longer give those enough rights ("Cloud Build Service Account Change", July 2024;
# GoogleCloudPlatform/terraform-google-cloud-functions#129).
resource "google_service_account" "build" {
  account_id   = "${var.name_prefix}-fn-build"
  display_name = "Sales bot: builds (Cloud Functions and the relay image)"
  depends_on   = [google_project_service.required]
}

# The roles Google lists for a user-specified build service account
# (https://cloud.google.com/run/docs/configuring/services/build-service-account): Logs Writer
# for the build logs, Artifact Registry Writer for the images, Storage Object Admin to read the
# source that Cloud Functions copies into its own bucket (gcf-v2-sources-*) and gcloud uploads to
# <project>_cloudbuild. Those buckets and the gcf-artifacts repository are created by the
# services on first use, so the grants are project-level by necessity.
resource "google_project_iam_member" "build" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
    "roles/storage.objectAdmin",
  ])

  project = var.project_id
  role    = each.value
  member  = google_service_account.build.member
}

# A grant is in effect some time after the API call returns (up to minutes), and depends_on only
# waits for the call: gen2 builds then fail now and then with "Access to bucket
# gcf-v2-sources-... denied" (hashicorp/terraform-provider-google#20571; the provider's own
# tests wait for this, GoogleCloudPlatform/magic-modules#11909), and a function or the relay whose
# account cannot read its secrets yet fails to deploy. Everything that uses these grants waits
# for this instead. A changed set of grants waits again.
resource "time_sleep" "grants_propagate" {
  create_duration = "120s"

  triggers = {
    grants = join(",", concat(
      keys(google_project_iam_member.build),
      keys(google_secret_manager_secret_iam_member.reader),
    ))
  }

  depends_on = [
    google_project_iam_member.build,
    google_secret_manager_secret_iam_member.reader,
    google_pubsub_topic_iam_member.relay_publishes_inbound,
    google_pubsub_subscription_iam_member.relay_pulls_outbound,
  ]
}

# Pub/Sub's own service agent: it mints the OIDC token for the push subscriptions and moves
# undeliverable messages to the dead-letter topic. Enabling the API does not always create it, and
# a grant to an agent that does not exist yet fails ("Service account ... does not exist"), so it
# is created explicitly (google-beta only: hashicorp/terraform-provider-google#12994), and the
# grants wait until the new identity is visible to IAM.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project    = var.project_id
  service    = "pubsub.googleapis.com"
  depends_on = [google_project_service.required]
}

resource "time_sleep" "pubsub_agent_propagates" {
  create_duration = "60s"
  depends_on      = [google_project_service_identity.pubsub]
}

locals {
  pubsub_agent = google_project_service_identity.pubsub.member
}

resource "google_service_account_iam_member" "pubsub_mints_push_token" {
  service_account_id = google_service_account.inbound_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
  depends_on         = [time_sleep.pubsub_agent_propagates]
}

resource "google_service_account_iam_member" "pubsub_mints_events_push_token" {
  service_account_id = google_service_account.events_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
  depends_on         = [time_sleep.pubsub_agent_propagates]
}
