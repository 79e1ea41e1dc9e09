# Outputs: what the operator pastes elsewhere. Names and addresses only, never a secret value.

output "atlantic_webhook_url" {
  description = "Paste into the Atlantic H2H dashboard: API page, section CALLBACK."
  value       = google_cloudfunctions2_function.fn["atlantic_webhook"].service_config[0].uri
}

output "console_url" {
  description = "The owner's web console (CONSOLE_URL); admins send /login to the bot on WhatsApp for a one-time link."
  value       = local.console_url
}

output "egress_ip" {
  description = "Static egress IP of every function (Cloud NAT); whitelist it in the Atlantic H2H API settings (IP Address field)."
  value       = google_compute_address.egress.address
}

output "relay_image" {
  description = "Where infra/cloudbuild-relay.yaml must push the wa-relay image (the _IMAGE substitution)."
  value       = local.relay_image
}

output "relay_service" {
  description = "Cloud Run service name of the WhatsApp relay (null until deploy_relay = true)."
  value       = var.deploy_relay ? google_cloud_run_v2_service.relay[0].name : null
}

output "secret_ids" {
  description = "Secret Manager secret id per environment variable; add each value with `gcloud secrets versions add ID --data-file=-`."
  value       = { for name, secret in google_secret_manager_secret.key : name => secret.secret_id }
}

output "function_names" {
  description = "Deployed Cloud Function name per entry point."
  value       = { for entry, fn in google_cloudfunctions2_function.fn : entry => fn.name }
}

output "dead_letter_subscription" {
  description = "Pull subscription that holds dead-lettered messages for inspection and replay."
  value       = google_pubsub_subscription.dead_letter_hold.name
}

output "build_service_account" {
  description = "The build identity, for `gcloud builds submit --service-account=...` of the relay image (docs/operations.md, section 3)."
  value       = google_service_account.build.id
}

output "webhook_service" {
  description = "Cloud Run service behind atlantic_webhook, for `gcloud run services update ... --no-invoker-iam-check` when public_access = \"no_invoker_check\"."
  value       = google_cloudfunctions2_function.fn["atlantic_webhook"].service_config[0].service
}

output "console_service" {
  description = "Cloud Run service behind the console, for `gcloud run services update ... --no-invoker-iam-check` when public_access = \"no_invoker_check\"."
  value       = google_cloudfunctions2_function.fn["console"].service_config[0].service
}

output "doctor_env" {
  description = "Settings (no secret) for `salesbot doctor` on your machine: append to .env, then add the secrets (docs/operations.md)."
  value = join("\n", [for name, value in {
    GCP_PROJECT                  = var.project_id
    SUPABASE_URL                 = var.supabase_url
    UPSTASH_REDIS_REST_URL       = var.upstash_redis_rest_url
    ATL_BASE_URL                 = var.atl_base_url
    ATL_WEBHOOK_URL              = google_cloudfunctions2_function.fn["atlantic_webhook"].service_config[0].uri
    GEMINI_MODEL                 = var.gemini_model
    MEDIA_BUCKET                 = lookup(var.tunables, "MEDIA_BUCKET", "wa-media")
    PUBSUB_INBOUND_TOPIC         = google_pubsub_topic.inbound.name
    PUBSUB_OUTBOUND_TOPIC        = google_pubsub_topic.outbound.name
    PUBSUB_OUTBOUND_SUBSCRIPTION = google_pubsub_subscription.outbound_relay.name
    PUBSUB_SUPPLIER_EVENTS_TOPIC = google_pubsub_topic.supplier_events.name
  } : "${name}=${value}"])
}
