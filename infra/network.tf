# Static egress for supplier calls. Atlantic only answers whitelisted IPs
# (shared docs: atlantic-h2h.md §1.4) and Cloud Functions have no fixed egress address, so every
# function that calls Atlantic (`static_egress` in functions.tf) sends ALL its traffic through a
# Serverless VPC Access connector into this VPC, where Cloud NAT translates it to one reserved
# static address: the `egress_ip` output to whitelist. Only those functions: a connector's egress
# setting is all traffic or private ranges only, so Atlantic (a public address) cannot be singled
# out within a function; Supabase, Upstash and Gemini traffic of those functions shares the NAT.

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

  # Every connection of every NAT-routed function leaves from the connector's 2-3 instances,
  # which Cloud NAT counts as VMs: with the static default of 64 source ports each, a burst of
  # function instances runs out of ports and new connections are dropped (OUT_OF_RESOURCES).
  # Dynamic port allocation starts each instance at 1024 ports and grows it to 16384 on demand
  # (3 x 16384 fits the 64512 ports of the one address); both must be powers of two, and
  # endpoint-independent mapping must be off with it
  # (https://cloud.google.com/nat/docs/ports-and-addresses#dynamic-port, and
  # https://cloud.google.com/nat/docs/tune-nat-configuration).
  enable_dynamic_port_allocation      = true
  enable_endpoint_independent_mapping = false
  min_ports_per_vm                    = 1024
  max_ports_per_vm                    = 16384

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
