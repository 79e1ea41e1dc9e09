# Static egress for supplier calls. Atlantic only answers whitelisted IPs
# (shared docs: atlantic-h2h.md §1.4) and Cloud Functions have no fixed egress address, so every
# function sends ALL its traffic through a Serverless VPC Access connector into this VPC, where
# Cloud NAT translates it to one reserved static address: the `egress_ip` output to whitelist.

resource "google_compute_network" "bot" {
  name                    = "${var.name_prefix}-vpc"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
  depends_on              = [google_project_service.required]
}

resource "google_compute_subnetwork" "connector" {
  name                     = "${var.name_prefix}-connector"
  region                   = var.region
  network                  = google_compute_network.bot.id
  ip_cidr_range            = var.connector_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_vpc_access_connector" "egress" {
  name          = "${var.name_prefix}-egress"
  region        = var.region
  machine_type  = "e2-micro"
  min_instances = 2
  max_instances = 3

  subnet {
    name = google_compute_subnetwork.connector.name
  }
}

resource "google_compute_address" "egress" {
  name         = "${var.name_prefix}-egress"
  region       = var.region
  address_type = "EXTERNAL"
  network_tier = "PREMIUM"
  description  = "Static egress IP of the sales bot; whitelist it in the Atlantic H2H API settings."
  depends_on   = [google_project_service.required]
}

resource "google_compute_router" "egress" {
  name    = "${var.name_prefix}-router"
  region  = var.region
  network = google_compute_network.bot.id
}

resource "google_compute_router_nat" "egress" {
  name                               = "${var.name_prefix}-nat"
  router                             = google_compute_router.egress.name
  region                             = var.region
  nat_ip_allocate_option             = "MANUAL_ONLY"
  nat_ips                            = [google_compute_address.egress.self_link]
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"

  subnetwork {
    name                    = google_compute_subnetwork.connector.id
    source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
  }

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

# Nothing in this VPC accepts connections: it exists only to give egress a static address. The
# connector's own rules (created by Google at higher priority) keep working.
resource "google_compute_firewall" "deny_ingress" {
  name      = "${var.name_prefix}-deny-ingress"
  network   = google_compute_network.bot.id
  direction = "INGRESS"
  priority  = 65534

  deny {
    protocol = "all"
  }

  source_ranges = ["0.0.0.0/0"]

  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}
