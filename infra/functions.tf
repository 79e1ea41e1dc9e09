# The Cloud Functions (gen2, Python 3.11: the version the tests, CI and the relay image run),
# all built from ONE source archive: functions/main.py and functions/requirements.txt at the
# archive root (where the Python buildpack expects them) plus the shared/ package beside them.
# Each function is the same code with a different entry point. `static_egress`: the function
# calls Atlantic, so it leaves through the NAT's static IP (network.tf); the others go out
# directly and leave the NAT's ports to those that need it.

locals {
  repo_root = "${path.module}/.."

  # Package data in shared/ (see [tool.setuptools.package-data] in pyproject.toml) plus code.
  shared_sources    = fileset("${local.repo_root}/shared", "**/*.{py,json,sql,txt,yaml,html,css,js}")
  functions_sources = fileset("${local.repo_root}/functions", "*.py")

  functions = {
    on_message = {
      description   = "Handles inbound WhatsApp messages pushed from wa-inbound."
      component     = "handler"
      ingress       = "ALLOW_INTERNAL_ONLY" # Pub/Sub push from this project counts as internal
      memory        = "1Gi"
      concurrency   = 8
      timeout       = local.inbound_ack_deadline_seconds
      static_egress = true
    }
    atlantic_webhook = {
      description   = "Receives Atlantic H2H callbacks; checks X-ATL-Signature, records, hands off to atl-events."
      component     = "webhook"
      ingress       = "ALLOW_ALL" # Atlantic calls it from the internet
      memory        = "512Mi"
      concurrency   = 16
      timeout       = 60
      static_egress = false # records and publishes only; never calls Atlantic
    }
    settle_supplier_event = {
      description   = "Settles a recorded Atlantic webhook pushed from atl-events: re-queries the supplier first."
      component     = "settler"
      ingress       = "ALLOW_INTERNAL_ONLY" # Pub/Sub push from this project counts as internal
      memory        = "512Mi"
      concurrency   = 8
      timeout       = local.events_ack_deadline_seconds
      static_egress = true
    }
    reactivate_keys = {
      description   = "Re-enables Gemini keys whose cooldown has passed."
      component     = "jobs"
      ingress       = "ALLOW_INTERNAL_ONLY" # Cloud Scheduler from this project counts as internal
      memory        = "512Mi"
      concurrency   = 1
      timeout       = 120
      static_egress = false # cache and database only; never calls Atlantic
    }
    refresh_prices = {
      description   = "Refreshes the supplier price lists into the price cache."
      component     = "jobs"
      ingress       = "ALLOW_INTERNAL_ONLY"
      memory        = "1Gi"
      concurrency   = 1
      timeout       = 300
      static_egress = true
    }
    reconcile = {
      description   = "Asks the supplier about pending orders, deposits and transfers and settles them."
      component     = "jobs"
      ingress       = "ALLOW_INTERNAL_ONLY"
      memory        = "512Mi"
      concurrency   = 1
      timeout       = 110 # shorter than the 2-minute schedule, so runs never overlap
      static_egress = true
    }
    check_balance = {
      description   = "Checks the supplier balance and alerts the owner when it runs low."
      component     = "jobs"
      ingress       = "ALLOW_INTERNAL_ONLY"
      memory        = "512Mi"
      concurrency   = 1
      timeout       = 60
      static_egress = true
    }
    deliver_outbox = {
      description   = "Publishes replies, notifications and alerts whose first publish did not go through."
      component     = "jobs"
      ingress       = "ALLOW_INTERNAL_ONLY"
      memory        = "512Mi"
      concurrency   = 1
      timeout       = 50   # shorter than the 1-minute schedule, so runs never overlap
      static_egress = true # a queued deposit notification places the order waiting for it
    }
    purge_media = {
      description   = "Deletes stored voice notes, images and QRIS codes older than MEDIA_TTL_SECONDS."
      component     = "jobs"
      ingress       = "ALLOW_INTERNAL_ONLY"
      memory        = "512Mi"
      concurrency   = 1
      timeout       = 300
      static_egress = false # Supabase Storage only; never calls Atlantic
    }
    console = {
      description   = "The owner's web console; admins log in with a one-time link sent on WhatsApp."
      component     = "console"
      ingress       = "ALLOW_ALL" # the owner's phone browser
      memory        = "512Mi"
      concurrency   = 16
      timeout       = 60
      static_egress = true # refund and retry ask Atlantic
    }
  }

  # The console's address, known before it exists (gen2 functions answer on cloudfunctions.net
  # too): on_message puts it in the /login links it sends, the console scopes its cookie to it.
  console_url = "https://${var.region}-${var.project_id}.cloudfunctions.net/${var.name_prefix}-console"

  # Non-secret settings shared by every component (names match shared/config.py).
  common_env = {
    GEMINI_MODEL                 = var.gemini_model
    LOG_FORMAT                   = "json"
    LOG_LEVEL                    = var.log_level
    GCP_PROJECT                  = var.project_id
    SUPABASE_URL                 = var.supabase_url
    UPSTASH_REDIS_REST_URL       = var.upstash_redis_rest_url
    ATL_BASE_URL                 = var.atl_base_url
    OWNER_NUMBER                 = var.owner_number
    ADMIN_NUMBERS                = var.admin_numbers
    SUPPLIER_BALANCE_ALERT       = tostring(var.supplier_balance_alert)
    RECONCILE_ALERT_MINUTES      = tostring(var.reconcile_alert_minutes)
    PUBSUB_INBOUND_TOPIC         = google_pubsub_topic.inbound.name
    PUBSUB_OUTBOUND_TOPIC        = google_pubsub_topic.outbound.name
    PUBSUB_SUPPLIER_EVENTS_TOPIC = google_pubsub_topic.supplier_events.name
    CONSOLE_URL                  = local.console_url
    # Not read by the code: changing it rolls new revisions, which re-read secrets at "latest".
    CONFIG_REVISION = var.config_revision
  }

  # The operator's tunables (variables.tf) first, so none of them can override a setting above.
  runtime_env = merge(var.tunables, local.common_env)
}

data "archive_file" "functions" {
  type        = "zip"
  output_path = "${path.module}/.build/functions-source.zip"

  source {
    content  = file("${local.repo_root}/functions/requirements.txt")
    filename = "requirements.txt"
  }

  dynamic "source" {
    for_each = local.functions_sources
    content {
      content  = file("${local.repo_root}/functions/${source.value}")
      filename = source.value
    }
  }

  dynamic "source" {
    for_each = local.shared_sources
    content {
      content  = file("${local.repo_root}/shared/${source.value}")
      filename = "shared/${source.value}"
    }
  }
}

resource "google_storage_bucket" "function_source" {
  #checkov:skip=CKV_GCP_62:Access logs of a bucket that only holds build archives uploaded by Terraform add cost without an audit need; Cloud Audit Logs record admin access.
  name                        = "${var.project_id}-${var.name_prefix}-fn-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = { app = var.name_prefix }

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.required]
}

# The object name carries the archive's hash, so a code change redeploys every function.
resource "google_storage_bucket_object" "function_source" {
  name   = "functions-${data.archive_file.functions.output_md5}.zip"
  bucket = google_storage_bucket.function_source.name
  source = data.archive_file.functions.output_path
}

resource "google_cloudfunctions2_function" "fn" {
  #checkov:skip=CKV_GCP_124:atlantic_webhook (Atlantic calls it) and console (the owner's browser) must accept traffic from the internet; every other function is ALLOW_INTERNAL_ONLY. The webhook authenticates each call by its signature, the console by a session opened with a one-time link sent to an admin's WhatsApp.
  for_each = local.functions

  name        = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  location    = var.region
  description = each.value.description
  labels      = { app = var.name_prefix, component = each.value.component }

  build_config {
    runtime         = "python311"
    entry_point     = each.key
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    min_instance_count               = 0
    max_instance_count               = var.function_max_instances
    available_memory                 = each.value.memory
    available_cpu                    = "1"
    max_instance_request_concurrency = each.value.concurrency
    timeout_seconds                  = each.value.timeout
    ingress_settings                 = each.value.ingress
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.runtime[each.value.component].email
    # ALL_TRAFFIC: supplier calls must leave through Cloud NAT's static IP (network.tf).
    vpc_connector                 = each.value.static_egress ? google_vpc_access_connector.egress.id : null
    vpc_connector_egress_settings = each.value.static_egress ? "ALL_TRAFFIC" : null
    environment_variables         = local.runtime_env

    dynamic "secret_environment_variables" {
      for_each = local.component_secrets[each.value.component]
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.key[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [time_sleep.grants_propagate]
}

# Invokers. Gen2 functions are Cloud Run services, so invocation is roles/run.invoker on the service.
resource "google_cloud_run_service_iam_member" "inbound_push_invokes_on_message" {
  location = var.region
  service  = google_cloudfunctions2_function.fn["on_message"].name
  role     = "roles/run.invoker"
  member   = google_service_account.inbound_push.member
}

resource "google_cloud_run_service_iam_member" "events_push_invokes_settler" {
  location = var.region
  service  = google_cloudfunctions2_function.fn["settle_supplier_event"].name
  role     = "roles/run.invoker"
  member   = google_service_account.events_push.member
}

# Public on purpose: Atlantic cannot authenticate to Google. The function rejects any request
# without the right X-ATL-Signature (constant-time compare) and only records the event; the
# settler re-queries the supplier before moving money, so an unauthenticated caller can change
# nothing. Two ways to be public, `public_access` for the webhook and the console alike
# (https://cloud.google.com/run/docs/authenticating/public):
# - "allusers": roles/run.invoker for allUsers, below. Refused where the organisation policy
#   iam.allowedPolicyMemberDomains (domain restricted sharing) applies, which newer organisations
#   have by default.
# - "no_invoker_check": Cloud Run's switch for exactly that case, which Google recommends. The
#   provider has it for google_cloud_run_v2_service (invoker_iam_disabled) but not for gen2
#   functions, whose Cloud Run service the Functions API owns
#   (hashicorp/terraform-provider-google#23360), so the operator turns it off once with gcloud
#   (docs/operations.md, "Make the webhook public") and `salesbot doctor` checks that an unsigned
#   call reaches the function.
resource "google_cloud_run_service_iam_member" "webhook_public" {
  #checkov:skip=CKV_GCP_102:Atlantic cannot present a Google identity, so the webhook is public by design; see the comment above.
  count = var.public_access == "allusers" ? 1 : 0

  location = var.region
  service  = google_cloudfunctions2_function.fn["atlantic_webhook"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "console_public" {
  #checkov:skip=CKV_GCP_102:The owner opens the console in a phone browser, which cannot present a Google identity; see the comment below.
  # Public on purpose: every page but the login explanation needs a session, which only a
  # one-time link sent to an ADMIN_NUMBERS WhatsApp opens (signed HttpOnly Secure SameSite=Strict
  # cookie, CSRF on every form, strict CSP; shared/webconsole/auth.py). Public as the webhook is
  # (`public_access`, above).
  count = var.public_access == "allusers" ? 1 : 0

  location = var.region
  service  = google_cloudfunctions2_function.fn["console"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
