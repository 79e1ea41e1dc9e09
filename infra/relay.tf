# The WhatsApp relay on Cloud Run: exactly one instance (a second one on the same session makes
# WhatsApp replace the first stream), CPU always allocated (it holds a websocket and pulls
# wa-outbound without inbound requests), session store in Supabase Postgres (WA_SESSION_DB), so a
# restarted container does not need re-pairing. The relay also takes a Redis lease, which covers
# the short overlap of two revisions during a deploy.
#
# The image is built from wa-relay/Dockerfile by infra/cloudbuild-relay.yaml into the repository
# below. The first apply runs with deploy_relay = false; the operator then builds the image,
# pairs WhatsApp from their machine against the topics this apply created, and applies again
# with deploy_relay = true (docs/operations.md, sections 3 and 4).

resource "google_artifact_registry_repository" "images" {
  #checkov:skip=CKV_GCP_84:Images hold no customer data or secrets; Google-managed encryption is enough and CMEK would add a KMS key to operate.
  repository_id = var.name_prefix
  location      = var.region
  format        = "DOCKER"
  description   = "Sales bot container images (wa-relay)."
  labels        = { app = var.name_prefix }
  depends_on    = [google_project_service.required]
}

locals {
  relay_image = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}/wa-relay:${var.relay_image_tag}"

  relay_env = merge(local.runtime_env, {
    PUBSUB_OUTBOUND_SUBSCRIPTION = google_pubsub_subscription.outbound_relay.name
  })
}

resource "google_cloud_run_v2_service" "relay" {
  count = var.deploy_relay ? 1 : 0

  name                = "${var.name_prefix}-wa-relay"
  location            = var.region
  description         = "WhatsApp relay: neonize session, wa-inbound publisher, wa-outbound sender."
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY" # nothing outside calls it
  deletion_protection = false
  labels              = { app = var.name_prefix, component = "relay" }

  template {
    service_account                  = google_service_account.runtime["relay"].email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = 10
    timeout                          = "60s"

    scaling {
      min_instance_count = 1
      max_instance_count = 1
    }

    containers {
      image = local.relay_image

      ports {
        container_port = 8080
      }

      resources {
        cpu_idle          = false # CPU always allocated
        startup_cpu_boost = true
        limits = {
          cpu    = "1"
          memory = "1Gi"
        }
      }

      dynamic "env" {
        for_each = local.relay_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.component_secrets["relay"]
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.key[env.value].secret_id
              version = "latest"
            }
          }
        }
      }

      # /healthz answers 200 while the process runs, whatever the WhatsApp state: a logged-out
      # session must page the owner (monitoring.tf), not restart the container into a loop.
      startup_probe {
        period_seconds    = 5
        failure_threshold = 24
        http_get {
          path = "/healthz"
        }
      }

      liveness_probe {
        period_seconds    = 30
        failure_threshold = 3
        http_get {
          path = "/healthz"
        }
      }
    }
  }

  depends_on = [time_sleep.grants_propagate]
}
