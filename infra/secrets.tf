# Secret Manager: one secret container per key. Terraform creates the containers and the access
# grants only; the operator adds the values (`gcloud secrets versions add`, docs/operations.md),
# so no secret value is ever in this repository, in a variable or in the state.

locals {
  # Secret (= environment variable name) -> the runtime components that may read it.
  secret_readers = {
    # The webhook keeps ATL_API_KEY although it no longer calls the supplier: without it the
    # code falls back to the sandbox's signature (shared/wiring.py, supplier_webhook).
    ATL_API_KEY               = ["handler", "webhook", "settler", "jobs", "console"]
    ATL_USERNAME              = ["handler", "webhook", "jobs"]
    GEMINI_KEYS               = ["handler", "jobs", "console"]
    APP_SECRET                = ["handler", "jobs", "console"]
    SUPABASE_SERVICE_ROLE_KEY = ["handler", "webhook", "settler", "jobs", "relay", "console"]
    UPSTASH_REDIS_REST_TOKEN  = ["handler", "webhook", "settler", "jobs", "relay", "console"]
    LOG_HASH_SALT             = ["handler", "webhook", "settler", "jobs", "relay", "console"]
    WA_SESSION_DB             = ["relay"]
    # Read only by the operator's `salesbot migrate`; no runtime component gets it.
    SUPABASE_DB_URL = []
  }

  secret_grants = {
    for pair in flatten([
      for secret, readers in local.secret_readers : [
        for reader in readers : { secret = secret, reader = reader }
      ]
    ]) : "${pair.secret}/${pair.reader}" => pair
  }

  # Component -> the secret environment variables it is given.
  component_secrets = {
    for component in keys(local.runtime_components) : component => sort([
      for secret, readers in local.secret_readers : secret if contains(readers, component)
    ])
  }
}

resource "google_secret_manager_secret" "key" {
  for_each = local.secret_readers

  secret_id = "${var.name_prefix}-${lower(replace(each.key, "_", "-"))}"
  labels    = { app = var.name_prefix, env_var = lower(each.key) }

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.required]
}

resource "google_secret_manager_secret_iam_member" "reader" {
  for_each = local.secret_grants

  secret_id = google_secret_manager_secret.key[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime[each.value.reader].member
}
