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

# Identity that builds the function images, instead of the default compute account.
resource "google_service_account" "build" {
  account_id   = "${var.name_prefix}-fn-build"
  display_name = "Sales bot: Cloud Functions builds"
  depends_on   = [google_project_service.required]
}

# Builds write logs, read the source that Cloud Functions copies into its own bucket
# (gcf-v2-sources-*) and push the image to the repository it creates (gcf-artifacts). Both are
# created by the service on first deploy, so these three grants are project-level by necessity.
resource "google_project_iam_member" "build" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
    "roles/storage.objectViewer",
  ])

  project = var.project_id
  role    = each.value
  member  = google_service_account.build.member
}

# Pub/Sub's own service agent: it mints the OIDC token for the push subscription and moves
# undeliverable messages to the dead-letter topic.
locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_service_account_iam_member" "pubsub_mints_push_token" {
  service_account_id = google_service_account.inbound_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

resource "google_service_account_iam_member" "pubsub_mints_events_push_token" {
  service_account_id = google_service_account.events_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}
