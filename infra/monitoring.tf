# Paging: log-based metrics on the structured log events the code emits (names defined in
# shared/observability.py, `Event`; every JSON log line carries them as jsonPayload.event), alert
# policies on them, and one on the dead-letter backlog. `patterns` also match stable messages the
# code logs for the same conditions today (RE2, on jsonPayload.message and .exception); tests/infra
# checks that each pattern matches a string in the code. docs/operations.md ("Alerts") explains each
# alert and what to do; tests/infra checks that both lists match.

locals {
  docs = "docs/operations.md in the repository"

  log_alerts = {
    gemini_all_keys_cooling = {
      display_name = "Gemini keys all cooling down"
      events       = ["gemini_all_keys_cooling"]
      patterns     = ["every Gemini key is cooling down"]
      severity     = "WARNING"
      doc          = "Every Gemini API key is on quota cooldown: the bot answers with the offline rules only and tells customers it is busy for free-form requests. Add or rotate keys (GEMINI_KEYS secret), then redeploy. See ${local.docs}, Alerts."
    }
    supplier_balance_low = {
      display_name = "Supplier balance low"
      events       = ["supplier_balance_low"]
      patterns     = []
      severity     = "ERROR"
      doc          = "The Atlantic H2H balance is below SUPPLIER_BALANCE_ALERT; orders will start failing at the supplier. Top up the Atlantic account. See ${local.docs}, Alerts."
    }
    order_pending_too_long = {
      display_name = "Orders pending too long"
      events       = ["order_pending_too_long"]
      patterns     = []
      severity     = "ERROR"
      doc          = "An order, deposit or transfer is still pending after RECONCILE_ALERT_MINUTES; the reconciler keeps it pending (money held, never refunded on a guess). Check it in the Atlantic dashboard by reff_id (log label) and settle it. See ${local.docs}, Alerts."
    }
    relay_session_lost = {
      display_name = "WhatsApp relay logged out or banned"
      events       = ["relay_logged_out", "relay_temporary_ban", "relay_client_outdated", "relay_stream_replaced"]
      patterns     = []
      severity     = "CRITICAL"
      doc          = "The WhatsApp session stopped: logged out (re-pair), temporarily banned (wait for expiry), client outdated (upgrade neonize and redeploy) or replaced by another process (find the second relay). Customers get no replies meanwhile. See ${local.docs}, Alerts."
    }
    relay_offline = {
      display_name = "WhatsApp relay offline"
      events       = ["relay_offline"]
      patterns     = []
      severity     = "CRITICAL"
      doc          = "The WhatsApp session has not been connected for 5 minutes and whatsmeow has not brought it back: customers get no replies (they wait in wa-outbound). Check the relay's logs and /healthz on Cloud Run; if it shows a QR, pair again. See ${local.docs}, Alerts."
    }
    supplier_ip_rejected = {
      display_name = "Supplier rejects our IP"
      events       = ["supplier_ip_rejected"]
      patterns     = ["is not whitelisted"]
      severity     = "CRITICAL"
      doc          = "Atlantic refused a call because the caller IP is not whitelisted. Whitelist the egress_ip Terraform output in the Atlantic API settings. See ${local.docs}, Alerts."
    }
  }

  # Dashboard-only log metric: which tier answered each turn (shared/agent/router.py logs it).
  turn_tier_metric  = "${var.name_prefix}/turn_answered"
  turn_tier_pattern = "^turn answered by tier "
}

resource "google_monitoring_notification_channel" "email" {
  display_name = "Sales bot operator (${var.alert_email})"
  type         = "email"
  labels       = { email_address = var.alert_email }
  depends_on   = [google_project_service.required]
}

resource "google_logging_metric" "event" {
  for_each = local.log_alerts

  name   = "${var.name_prefix}/${each.key}"
  filter = join(" OR ", concat(
    ["jsonPayload.event=(${join(" OR ", [for e in each.value.events : "\"${e}\""])})"],
    flatten([
      for p in each.value.patterns :
      ["jsonPayload.message=~\"${p}\"", "jsonPayload.exception=~\"${p}\""]
    ]),
  ))

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = each.value.display_name
  }

  depends_on = [google_project_service.required]
}

resource "google_logging_metric" "turn_tier" {
  name   = local.turn_tier_metric
  filter = "jsonPayload.message=~\"${local.turn_tier_pattern}\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Turns by answering tier"

    labels {
      key         = "tier"
      value_type  = "STRING"
      description = "pending, rules, gemini or fallback"
    }
  }

  label_extractors = {
    tier = "REGEXP_EXTRACT(jsonPayload.message, \"${local.turn_tier_pattern}(\\w+)\")"
  }

  depends_on = [google_project_service.required]
}

resource "google_monitoring_alert_policy" "event" {
  for_each = local.log_alerts

  display_name          = each.value.display_name
  combiner              = "OR"
  severity              = each.value.severity
  notification_channels = [google_monitoring_notification_channel.email.id]

  conditions {
    display_name = "${each.value.display_name}: log event seen"

    condition_threshold {
      # The Monitoring API rejects a condition filter without a resource.type restriction
      # ("must specify a restriction on resource.type"). The functions (gen2) and the relay all
      # run on Cloud Run, so their log entries, and the metric points counted from them, are
      # cloud_run_revision.
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.event[each.key].name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    content   = each.value.doc
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "dead_letters" {
  display_name          = "Messages dead-lettered"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = [google_monitoring_notification_channel.email.id]

  conditions {
    display_name = "wa-dead-letter-hold has undelivered messages"

    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=\"${google_pubsub_subscription.dead_letter_hold.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    content   = "A message failed every delivery attempt (inbound: 10, outbound: 5) and was parked in wa-dead-letter-hold: a customer message went unanswered or a reply was not sent. Read it, fix the cause, replay or acknowledge it. See ${local.docs}, Alerts."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_dashboard" "bot" {
  dashboard_json = jsonencode({
    displayName = "Sales bot"
    mosaicLayout = {
      columns = 12
      tiles = concat(
        [
          for i, key in keys(local.log_alerts) : {
            xPos   = (i % 3) * 4
            yPos   = floor(i / 3) * 4
            width  = 4
            height = 4
            widget = {
              title = local.log_alerts[key].display_name
              xyChart = {
                dataSets = [{
                  plotType = "STACKED_BAR"
                  timeSeriesQuery = {
                    timeSeriesFilter = {
                      filter      = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.event[key].name}\""
                      aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_SUM", crossSeriesReducer = "REDUCE_SUM" }
                    }
                  }
                }]
              }
            }
          }
        ],
        [
          {
            xPos = 0, yPos = 8, width = 6, height = 4
            widget = {
              title = "Turns by answering tier"
              xyChart = {
                dataSets = [{
                  plotType = "STACKED_AREA"
                  timeSeriesQuery = {
                    timeSeriesFilter = {
                      filter      = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.turn_tier.name}\""
                      aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_SUM", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["metric.label.tier"] }
                    }
                  }
                }]
              }
            }
          },
          {
            xPos = 6, yPos = 8, width = 6, height = 4
            widget = {
              title = "Function requests by response class"
              xyChart = {
                dataSets = [{
                  plotType = "LINE"
                  timeSeriesQuery = {
                    timeSeriesFilter = {
                      filter      = "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\""
                      aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_RATE", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["resource.label.service_name", "metric.label.response_code_class"] }
                    }
                  }
                }]
              }
            }
          },
          {
            xPos = 0, yPos = 12, width = 6, height = 4
            widget = {
              title = "Oldest unacked message age (s) per subscription"
              xyChart = {
                dataSets = [{
                  plotType = "LINE"
                  timeSeriesQuery = {
                    timeSeriesFilter = {
                      filter      = "metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.type=\"pubsub_subscription\""
                      aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_MAX", crossSeriesReducer = "REDUCE_MAX", groupByFields = ["resource.label.subscription_id"] }
                    }
                  }
                }]
              }
            }
          },
          {
            xPos = 6, yPos = 12, width = 6, height = 4
            widget = {
              title = "Relay instances (must be exactly 1)"
              xyChart = {
                dataSets = [{
                  plotType = "LINE"
                  timeSeriesQuery = {
                    timeSeriesFilter = {
                      filter      = "metric.type=\"run.googleapis.com/container/instance_count\" AND resource.type=\"cloud_run_revision\" AND resource.label.service_name=\"${var.name_prefix}-wa-relay\""
                      aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_MAX", crossSeriesReducer = "REDUCE_SUM" }
                    }
                  }
                }]
              }
            }
          },
        ],
      )
    }
  })

  depends_on = [google_project_service.required]
}
