# The bus: wa-inbound (relay -> on_message, ordered per chat), wa-outbound (functions -> relay),
# atl-events (atlantic_webhook -> settle_supplier_event: recorded supplier webhooks to settle) and
# a dead-letter topic for messages that keep failing. Every topic and subscription name starts
# with name_prefix (as every other named resource does), so two deployments can share a project;
# the code learns the names from PUBSUB_* variables (functions.tf, relay.tf).
#
# on_message is fed by a push subscription that this file owns rather than by an Eventarc trigger:
# Eventarc creates and manages its own subscription, whose ordering, retry backoff, ack deadline
# (10 s) and dead-lettering cannot be set from Terraform (hashicorp/terraform-provider-google
# #17697, #17701, #25069). A push subscription straight to a gen2 function is the documented Cloud
# Run pattern ("Using Pub/Sub with Cloud Run"): a gen2 function IS a Cloud Run service. How it
# fits together, each part checked by tests/infra/test_push_subscription.py:
# - push_endpoint is the function's run.app URI (service_config[0].uri), path "/". Cloud Run treats
#   Pub/Sub of the same project as internal traffic on that URL, so on_message can stay
#   ALLOW_INTERNAL_ONLY.
# - oidc_token: Pub/Sub's service agent mints a token for inbound_push (it holds
#   serviceAccountTokenCreator on that account only), whose audience is that URI; inbound_push has
#   roles/run.invoker on on_message and nothing else, so only this subscription can call it.
# - The body stays wrapped (no `no_wrapper` block, hence no `write_metadata` either): the standard
#   push envelope {"message": {data, attributes, messageId, publishTime, orderingKey},
#   "subscription", "deliveryAttempt"}. functions-framework (3.10) recognises that raw push and
#   converts it to the CloudEvent an Eventarc trigger would deliver (data.message.{data,
#   attributes, messageId, publishTime}; subscription, deliveryAttempt and orderingKey are dropped,
#   and on_message needs none of them: it dedupes on wa_msg_id). An unwrapped body would be
#   rejected with 400 and retried into the dead-letter topic.
# - The function's timeout equals the ack deadline, which is a push's request timeout.

locals {
  inbound_ack_deadline_seconds = 120
  # Settling waits for at most two supplier status calls (ATL_TIMEOUT_SECONDS, 20 s by default).
  events_ack_deadline_seconds = 90
}

resource "google_pubsub_topic" "inbound" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption at rest; a customer-managed KMS key would add cost and a key to rotate without protecting against a threat that matters to a one-shop bot. Messages carry no secrets.
  name                       = "${var.name_prefix}-wa-inbound"
  message_retention_duration = "86400s"
  labels                     = { app = var.name_prefix }

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.required]
}

resource "google_pubsub_topic" "outbound" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption at rest, as for wa-inbound.
  name                       = "${var.name_prefix}-wa-outbound"
  message_retention_duration = "86400s"
  labels                     = { app = var.name_prefix }

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.required]
}

resource "google_pubsub_topic" "supplier_events" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption at rest, as for wa-inbound. Messages carry an event id and a reference, no secret.
  name                       = "${var.name_prefix}-atl-events"
  message_retention_duration = "86400s"
  labels                     = { app = var.name_prefix }

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.required]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption at rest, as for wa-inbound.
  name                       = "${var.name_prefix}-wa-dead-letter"
  message_retention_duration = "604800s"
  labels                     = { app = var.name_prefix }

  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.required]
}

# Inbound: ordered per chat (the relay publishes with ordering_key = chat), pushed to on_message
# with an OIDC token. A message the function keeps rejecting goes to the dead-letter topic after
# 10 attempts instead of blocking its chat's ordering key for the whole retention period.
resource "google_pubsub_subscription" "inbound" {
  name                       = "${var.name_prefix}-wa-inbound-on-message"
  topic                      = google_pubsub_topic.inbound.id
  enable_message_ordering    = true
  ack_deadline_seconds       = local.inbound_ack_deadline_seconds
  message_retention_duration = "86400s"
  labels                     = { app = var.name_prefix }

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["on_message"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.inbound_push.email
      audience              = google_cloudfunctions2_function.fn["on_message"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = 10
  }

  expiration_policy {
    ttl = "" # never expire, even when no message arrives for a month
  }

  depends_on = [google_service_account_iam_member.pubsub_mints_push_token]
}

# Recorded Atlantic webhooks, pushed to settle_supplier_event with an OIDC token. No ordering:
# settling is idempotent and re-queries the supplier, so order does not matter. The inbox row in
# Postgres is the durable record: a message that is dead-lettered (or never published) is still
# settled by the reconcile job's sweep of unsettled events.
resource "google_pubsub_subscription" "supplier_events" {
  name                       = "${var.name_prefix}-atl-events-settle"
  topic                      = google_pubsub_topic.supplier_events.id
  ack_deadline_seconds       = local.events_ack_deadline_seconds
  message_retention_duration = "86400s"
  labels                     = { app = var.name_prefix }

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["settle_supplier_event"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.events_push.email
      audience              = google_cloudfunctions2_function.fn["settle_supplier_event"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = 10
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_service_account_iam_member.pubsub_mints_events_push_token]
}

# Outbound: the relay streaming-pulls replies; ordered so a chat's replies go out in order.
resource "google_pubsub_subscription" "outbound_relay" {
  name                       = "${var.name_prefix}-wa-outbound-relay"
  topic                      = google_pubsub_topic.outbound.id
  enable_message_ordering    = true
  ack_deadline_seconds       = 60
  message_retention_duration = "86400s"
  labels                     = { app = var.name_prefix }

  retry_policy {
    minimum_backoff = "5s"
    maximum_backoff = "300s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = 5
  }

  expiration_policy {
    ttl = ""
  }
}

# Keeps dead letters for a week so the operator can read and replay them (docs/operations.md).
resource "google_pubsub_subscription" "dead_letter_hold" {
  name                       = "${var.name_prefix}-wa-dead-letter-hold"
  topic                      = google_pubsub_topic.dead_letter.id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  retain_acked_messages      = false
  labels                     = { app = var.name_prefix }

  expiration_policy {
    ttl = ""
  }
}

# Who may publish and pull: each grant is on one topic or subscription.
resource "google_pubsub_topic_iam_member" "relay_publishes_inbound" {
  topic  = google_pubsub_topic.inbound.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.runtime["relay"].member
}

resource "google_pubsub_topic_iam_member" "webhook_publishes_supplier_events" {
  topic  = google_pubsub_topic.supplier_events.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.runtime["webhook"].member
}

# Customer notifications: the webhook no longer sends any (the settler does after settling; the
# console's retry and refund notify like the admin commands do).
resource "google_pubsub_topic_iam_member" "outbound_publishers" {
  for_each = toset(["handler", "settler", "jobs", "console"])

  topic  = google_pubsub_topic.outbound.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.runtime[each.value].member
}

resource "google_pubsub_subscription_iam_member" "relay_pulls_outbound" {
  subscription = google_pubsub_subscription.outbound_relay.id
  role         = "roles/pubsub.subscriber"
  member       = google_service_account.runtime["relay"].member
}

# Dead-lettering needs the Pub/Sub service agent to publish to the dead-letter topic and to
# acknowledge on the source subscriptions.
resource "google_pubsub_topic_iam_member" "agent_publishes_dead_letters" {
  topic      = google_pubsub_topic.dead_letter.id
  role       = "roles/pubsub.publisher"
  member     = local.pubsub_agent
  depends_on = [time_sleep.pubsub_agent_propagates]
}

resource "google_pubsub_subscription_iam_member" "agent_forwards_dead_letters" {
  for_each = {
    inbound         = google_pubsub_subscription.inbound.id
    outbound        = google_pubsub_subscription.outbound_relay.id
    supplier_events = google_pubsub_subscription.supplier_events.id
  }

  subscription = each.value
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
  depends_on   = [time_sleep.pubsub_agent_propagates]
}
