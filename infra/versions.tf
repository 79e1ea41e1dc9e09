# Terraform and provider versions. Apply with Terraform >= 1.6; state holds no secret values
# (secrets are created empty here and their versions are added by the operator, see
# docs/operations.md).

terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.10, < 7.0"
    }
    # Only for google_project_service_identity (service_accounts.tf), which the GA provider
    # does not have; kept on the same version line as google.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.10, < 7.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.6, < 3.0"
    }
    # time_sleep: IAM grants take effect some time after the API call returns (service_accounts.tf).
    time = {
      source  = "hashicorp/time"
      version = ">= 0.12, < 1.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}
