# Inputs. Everything secret is NOT a variable: secrets live in Secret Manager and are added by the
# operator with `gcloud secrets versions add` (docs/operations.md), so they never reach the state.

variable "project_id" {
  description = "Google Cloud project id that hosts the bot."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid Google Cloud project id (6-30 lowercase letters, digits, hyphens)."
  }
}

variable "region" {
  description = "Region for the functions, the relay, Pub/Sub-adjacent resources and Cloud NAT (Jakarta is closest to customers and the supplier)."
  type        = string
  default     = "asia-southeast2"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must look like asia-southeast2."
  }
}

variable "name_prefix" {
  description = "Prefix for every named resource (service accounts, functions, the relay, Pub/Sub topics and subscriptions, secrets, buckets, jobs, metrics), so two deployments can share a project."
  type        = string
  default     = "salesbot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.name_prefix))
    error_message = "name_prefix must be 2-15 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "supabase_url" {
  description = "Supabase project URL (https://<ref>.supabase.co). Not a secret; the service role key is."
  type        = string

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+$", var.supabase_url))
    error_message = "supabase_url must be an https URL without a path."
  }
}

variable "upstash_redis_rest_url" {
  description = "Upstash Redis REST URL (https://<name>.upstash.io). The token is a secret."
  type        = string

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+$", var.upstash_redis_rest_url))
    error_message = "upstash_redis_rest_url must be an https URL without a path."
  }
}

variable "atl_base_url" {
  description = "Atlantic H2H base URL."
  type        = string
  default     = "https://atlantich2h.com"

  validation {
    condition     = can(regex("^https://", var.atl_base_url))
    error_message = "atl_base_url must use https."
  }
}

variable "owner_number" {
  description = "Owner's WhatsApp number (08... or 628...) that receives owner alerts in chat."
  type        = string

  validation {
    condition     = can(regex("^(08|628)[0-9]{7,12}$", var.owner_number))
    error_message = "owner_number must be an Indonesian mobile number like 081234567890 or 6281234567890."
  }
}

variable "admin_numbers" {
  description = "Comma-separated admin phone numbers allowed to use admin commands (may be empty)."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^((08|628)[0-9]{7,12}(,(08|628)[0-9]{7,12})*)?$", var.admin_numbers))
    error_message = "admin_numbers must be a comma-separated list of numbers like 081234567890, no spaces."
  }
}

variable "alert_email" {
  description = "E-mail address that receives Cloud Monitoring alerts (the paging ones in docs/operations.md)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address."
  }
}

variable "supplier_balance_alert" {
  description = "Supplier (Atlantic) balance in rupiah below which the balance check alerts the owner."
  type        = number
  default     = 100000

  validation {
    condition     = var.supplier_balance_alert >= 0 && floor(var.supplier_balance_alert) == var.supplier_balance_alert
    error_message = "supplier_balance_alert must be a whole, non-negative number of rupiah."
  }
}

variable "reconcile_alert_minutes" {
  description = "Minutes an order, deposit or transfer may stay pending before the reconciler pages."
  type        = number
  default     = 60

  validation {
    condition     = var.reconcile_alert_minutes >= 5 && var.reconcile_alert_minutes <= 1440
    error_message = "reconcile_alert_minutes must be between 5 and 1440."
  }
}

variable "relay_image_tag" {
  description = "Tag of the wa-relay image in this deployment's Artifact Registry repository (built with infra/cloudbuild-relay.yaml)."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.relay_image_tag))
    error_message = "relay_image_tag must be a valid Docker tag."
  }
}

variable "deploy_relay" {
  description = "Create the Cloud Run relay. Leave false until the relay image is built and the WhatsApp number is paired (docs/operations.md, sections 3 and 4); false again stops it (e.g. to re-pair)."
  type        = bool
  default     = false
}

variable "scheduler_time_zone" {
  description = "Time zone of the Cloud Scheduler jobs."
  type        = string
  default     = "Asia/Jakarta"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z_+-]+)*$", var.scheduler_time_zone))
    error_message = "scheduler_time_zone must be an IANA time zone such as Asia/Jakarta."
  }
}

variable "function_max_instances" {
  description = "Upper bound of instances per Cloud Function (caps cost and supplier concurrency)."
  type        = number
  default     = 10

  validation {
    condition     = var.function_max_instances >= 1 && var.function_max_instances <= 100
    error_message = "function_max_instances must be between 1 and 100."
  }
}

variable "connector_cidr" {
  description = "A free /28 range in the bot's VPC for the Serverless VPC Access connector subnet."
  type        = string
  default     = "10.8.0.0/28"

  validation {
    condition     = can(cidrhost(var.connector_cidr, 0)) && endswith(var.connector_cidr, "/28")
    error_message = "connector_cidr must be an IPv4 /28 range such as 10.8.0.0/28."
  }
}

variable "log_level" {
  description = "Log level of every component."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warning", "error"], var.log_level)
    error_message = "log_level must be one of debug, info, warning, error."
  }
}

variable "config_revision" {
  description = "Bump after adding new secret versions (e.g. rotated Gemini keys): every function and the relay roll to a new revision that reads the latest versions."
  type        = string
  default     = "1"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,32}$", var.config_revision))
    error_message = "config_revision must be 1-32 letters, digits, dots, underscores or hyphens."
  }
}

variable "gemini_model" {
  description = "Gemini model the bot talks to (GEMINI_MODEL). `salesbot doctor` checks that every key is offered it."
  type        = string
  default     = "gemini-2.5-flash-lite"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{2,62}$", var.gemini_model))
    error_message = "gemini_model must be a model id such as gemini-2.5-flash-lite (no models/ prefix)."
  }
}

# The other settings an operator may change without a code change, as environment variables of
# every function and the relay (the table in README.md says what each does). Everything else is
# either set by this configuration or a secret.
variable "tunables" {
  description = "Extra settings for every component, e.g. { QUOTE_TTL_SECONDS = \"300\", WA_QUIET_HOURS = \"21:00-08:00\" }. Only the names listed in the validation are accepted."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for name in keys(var.tunables) : contains([
      "ATL_TIMEOUT_SECONDS", "RECONCILE_AFTER_MINUTES", "PRICE_CACHE_TTL_SECONDS",
      "GEMINI_TIMEOUT_MS", "GEMINI_MAX_TOKENS", "GEMINI_COOLDOWN_HOURS",
      "QUOTE_TTL_SECONDS", "STALE_MESSAGE_SECONDS", "TAKEOVER_MINUTES",
      "MEDIA_BUCKET", "MEDIA_TTL_SECONDS",
      "WA_QUIET_HOURS", "WA_TIMEZONE", "WA_FOLLOWUPS_PER_TOPIC", "WA_PROACTIVE_DAILY_CAP",
      "WA_WARMUP_DAYS",
    ], name)])
    error_message = "tunables accepts only the settings listed in its validation (infra/variables.tf); the others are variables of their own or secrets."
  }
}

variable "public_access" {
  description = "How the two public functions (Atlantic's webhook, the owner's console) are made public: \"allusers\" grants roles/run.invoker to allUsers (refused under the domain-restricted-sharing organisation policy); \"no_invoker_check\" grants nothing and you turn Cloud Run's invoker check off once with gcloud (docs/operations.md)."
  type        = string
  default     = "allusers"

  validation {
    condition     = contains(["allusers", "no_invoker_check"], var.public_access)
    error_message = "public_access must be allusers or no_invoker_check."
  }
}
