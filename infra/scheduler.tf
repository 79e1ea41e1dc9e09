# Cloud Scheduler calls the job functions with an OIDC token of the scheduler service account,
# which may invoke these six functions and nothing else.

locals {
  schedules = {
    reactivate_keys = "*/5 * * * *"  # Gemini key reactivation, every 5 minutes
    refresh_prices  = "*/10 * * * *" # supplier price cache, every 10 minutes
    reconcile       = "*/2 * * * *"  # pending orders, deposits and transfers, every 2 minutes
    check_balance   = "0 * * * *"    # supplier balance, hourly
    purge_media     = "30 * * * *"   # media past MEDIA_TTL_SECONDS, hourly
    deliver_outbox  = "* * * * *"    # messages whose first publish failed, every minute
  }
}

resource "google_cloud_run_service_iam_member" "scheduler_invokes_jobs" {
  for_each = local.schedules

  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

resource "google_cloud_scheduler_job" "job" {
  for_each = local.schedules

  name             = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  region           = var.region
  schedule         = each.value
  time_zone        = var.scheduler_time_zone
  attempt_deadline = "${local.functions[each.key].timeout + 10}s"
  description      = local.functions[each.key].description

  retry_config {
    # The next scheduled run is the retry for the frequent jobs; one quick retry covers a cold
    # start that timed out.
    retry_count          = 1
    min_backoff_duration = "10s"
    max_backoff_duration = "60s"
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn[each.key].service_config[0].uri
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.fn[each.key].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_service_iam_member.scheduler_invokes_jobs]
}
