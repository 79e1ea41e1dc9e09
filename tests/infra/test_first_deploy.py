"""The traps a first `terraform apply` on a fresh project falls into (issue 16), checked offline.

Each test pins the configuration that avoids one known failure: IAM grants that are not in
effect yet when a build or a deploy uses them, a Pub/Sub service agent that does not exist yet,
a public webhook refused by an organisation policy, the default build account without rights,
settings only a code change could reach, and names two deployments in one project would share.
"""

from __future__ import annotations

import re

from conftest import INFRA, Terraform, block, normalize

from shared.config import Settings

# Google's list for a user-specified build account of Cloud Run functions
# (https://cloud.google.com/run/docs/configuring/services/build-service-account).
BUILD_ROLES = {
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
    "roles/storage.objectAdmin",
}


def test_the_build_account_has_the_roles_google_lists(terraform: Terraform) -> None:
    grants = terraform.resource("google_project_iam_member", "build")
    assert set(re.findall(r'"(roles/[\w.]+)"', grants["for_each"])) == BUILD_ROLES
    fn = terraform.resource("google_cloudfunctions2_function", "fn")
    assert block(fn, "build_config")["service_account"] == "${google_service_account.build.id}"
    assert terraform.outputs["build_service_account"]["value"] == (
        "${google_service_account.build.id}"
    )


def test_functions_and_relay_wait_until_their_grants_are_in_effect(terraform: Terraform) -> None:
    sleep = terraform.resource("time_sleep", "grants_propagate")
    assert int(sleep["create_duration"].rstrip("s")) >= 60
    waits_for = set(sleep["depends_on"])
    assert {
        "${google_project_iam_member.build}",
        "${google_secret_manager_secret_iam_member.reader}",
        "${google_pubsub_topic_iam_member.relay_publishes_inbound}",
        "${google_pubsub_subscription_iam_member.relay_pulls_outbound}",
    } <= waits_for
    for rtype, name in (
        ("google_cloudfunctions2_function", "fn"),
        ("google_cloud_run_v2_service", "relay"),
    ):
        assert terraform.resource(rtype, name)["depends_on"] == ["${time_sleep.grants_propagate}"]


def test_the_pubsub_agent_exists_before_it_is_granted_anything(terraform: Terraform) -> None:
    identity = terraform.resource("google_project_service_identity", "pubsub")
    assert identity["service"] == "pubsub.googleapis.com"
    assert identity["provider"] == "google-beta"
    assert terraform.locals["pubsub_agent"] == "${google_project_service_identity.pubsub.member}"
    sleep = terraform.resource("time_sleep", "pubsub_agent_propagates")
    assert sleep["depends_on"] == ["${google_project_service_identity.pubsub}"]
    agent_grants = [
        (rtype, name, body)
        for (rtype, name), body in terraform.resources.items()
        if body.get("member") == "${local.pubsub_agent}"
    ]
    assert len(agent_grants) == 4
    for rtype, name, body in agent_grants:
        assert "${time_sleep.pubsub_agent_propagates}" in body.get("depends_on", []), (rtype, name)
    text = "".join(path.read_text() for path in INFRA.glob("*.tf"))
    assert "gcp-sa-pubsub" not in text, "the agent's address is the identity's, not a guess"


def test_the_public_functions_can_be_public_without_granting_all_users(
    terraform: Terraform,
) -> None:
    everyone = {
        name: body
        for name, body in terraform.of_type("google_cloud_run_service_iam_member").items()
        if body["member"] == "allUsers"
    }
    assert set(everyone) == {"webhook_public", "console_public"}
    for body in everyone.values():
        assert body["count"] == '${var.public_access == "allusers" ? 1 : 0}'
    variable = terraform.variables["public_access"]
    assert variable["default"] == "allusers"
    assert '"no_invoker_check"' in block(variable, "validation")["condition"]
    for output, function in (
        ("webhook_service", "atlantic_webhook"),
        ("console_service", "console"),
    ):
        assert terraform.outputs[output]["value"] == (
            f'${{google_cloudfunctions2_function.fn["{function}"].service_config[0].service}}'
        )


def _tunable_names(terraform: Terraform) -> set[str]:
    condition = block(terraform.variables["tunables"], "validation")["condition"]
    return set(re.findall(r'"([A-Z][A-Z0-9_]+)"', condition))


def test_every_setting_an_operator_changes_is_reachable_from_terraform(
    terraform: Terraform,
) -> None:
    settings = {name.upper() for name in Settings.model_fields}
    tunables = _tunable_names(terraform)
    assert tunables <= settings, tunables - settings
    set_here = set(terraform.locals["common_env"]) | set(terraform.locals["secret_readers"])
    set_here |= set(re.findall(r"(\w+)\s*=", str(terraform.locals["relay_env"])))
    assert not tunables & set_here, "a tunable would be overridden by the configuration"
    assert terraform.locals["common_env"]["GEMINI_MODEL"] == "${var.gemini_model}"
    assert terraform.locals["runtime_env"] == "${merge(var.tunables, local.common_env)}"
    # What the cloud deployment deliberately does not set: local-only switches, the direct
    # database and Redis (it has Supabase and Upstash), test hooks, and the doctor's inputs.
    not_in_the_cloud = {
        "DATA_DIR", "HTTP_HOST", "HTTP_PORT", "JOBS_TOKEN", "DATABASE_URL", "REDIS_URL",
        "WA_ENABLED", "WA_PAIR_PHONE", "GEMINI_BASE_URL", "LOG_FORMAT", "ATL_WEBHOOK_URL",
    }  # fmt: skip
    unreachable = settings - tunables - set_here - not_in_the_cloud
    assert not unreachable, f"settings only a code change could reach: {sorted(unreachable)}"


def test_tfvars_example_uses_only_accepted_tunables(terraform: Terraform) -> None:
    import hcl2

    example = normalize(hcl2.loads((INFRA / "terraform.tfvars.example").read_text()))
    assert set(example["tunables"]) <= _tunable_names(terraform)
    assert example["deploy_relay"] is False, "the first apply runs without the relay"
    assert terraform.variables["deploy_relay"]["default"] is False


def test_two_deployments_can_share_a_project(terraform: Terraform) -> None:
    named = {
        "google_pubsub_topic",
        "google_pubsub_subscription",
        "google_service_account",
        "google_cloudfunctions2_function",
        "google_cloud_run_v2_service",
        "google_cloud_scheduler_job",
        "google_secret_manager_secret",
        "google_storage_bucket",
        "google_compute_network",
        "google_compute_router_nat",
        "google_vpc_access_connector",
        "google_logging_metric",
    }
    for (rtype, name), body in terraform.resources.items():
        if rtype not in named:
            continue
        value = body.get("name") or body.get("account_id") or body.get("secret_id")
        assert value is not None, f"{rtype}.{name} has no name"
        local = re.fullmatch(r"\$\{local\.(\w+)\}", value)
        value = terraform.locals[local.group(1)] if local else value
        assert "${var.name_prefix}" in value, f"{rtype}.{name} = {value!r} is not prefixed"
