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
