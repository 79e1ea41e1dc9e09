"""Offline checks of infra/: it parses, and what it deploys exists and is wired as designed.

Terraform itself cannot run here (no download), so these tests read the HCL and check the
properties a reviewer would otherwise check by hand: entry points and source paths exist, the bus,
schedule, relay, secrets and egress are configured as design.md and the issue require.
"""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys

import hcl2
import pytest
from conftest import ENTRY_POINTS, INFRA, REPO, Terraform, block, normalize, strings

from shared.config import Settings
from shared.observability import PAGING_EVENTS, Event

# Alerts whose message comes from code another issue is still landing.
PENDING_EMITTERS = {
    "supplier_ip_rejected": "shared/adapters/atlantic",  # issue 3
}
REPO_PATH = re.compile(r"\$\{(?:local\.repo_root|path\.module/\.\.)\}/([^\"$]*)")


def test_every_terraform_file_parses(terraform: Terraform) -> None:
    # The fixture parsed every infra/*.tf with python-hcl2; an unparsable file fails it.
    assert set(terraform.files) == {path.name for path in INFRA.glob("*.tf")}
    assert {"variables.tf", "functions.tf", "pubsub.tf", "outputs.tf", "monitoring.tf"} <= set(
        terraform.files
    )
    assert len(terraform.resources) > 40


def test_the_nine_entry_points_are_deployed_from_one_archive(terraform: Terraform) -> None:
    assert set(terraform.locals["functions"]) == ENTRY_POINTS
    fn = terraform.resource("google_cloudfunctions2_function", "fn")
    assert fn["for_each"] == "${local.functions}"
    build = block(fn, "build_config")
    assert build["runtime"] == "python311"
    assert build["entry_point"] == "${each.key}"
    storage = block(block(build, "source"), "storage_source")
    assert storage["object"] == "${google_storage_bucket_object.function_source.name}"
    # main.py and requirements.txt land at the archive root, shared/ beside them.
    archive = terraform.data[("archive_file", "functions")]
    filenames = [s["filename"] for s in archive["source"]]
    filenames += [d["source"]["content"][0]["filename"] for d in archive["dynamic"]]
    assert filenames == ["requirements.txt", "${source.value}", "shared/${source.value}"]
    assert terraform.locals["functions_sources"].startswith(
        '${fileset("${local.repo_root}/functions", "*.py")'
    )


def test_functions_main_defines_every_entry_point() -> None:
    main = REPO / "functions" / "main.py"
    if not main.exists():
        pytest.skip(
            "functions/main.py has not landed yet (issue 7); Terraform deploys: "
            + ", ".join(sorted(ENTRY_POINTS))
        )
    tree = ast.parse(main.read_text())
    defined: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ImportFrom):
            defined |= {alias.asname or alias.name for alias in node.names}
    missing = sorted(ENTRY_POINTS - defined)
    assert not missing, f"functions/main.py lacks entry points Terraform deploys: {missing}"


def test_functions_main_imports_without_the_local_only_packages() -> None:
    # The deployed archive installs functions/requirements.txt only: no neonize, no pgserver.
    main = REPO / "functions" / "main.py"
    if not main.exists():
        pytest.skip("functions/main.py has not landed yet (issue 7)")
    code = (
        "import sys\n"
        "for name in ('neonize', 'pgserver', 'pytest', 'hcl2'):\n"
        "    sys.modules[name] = None\n"
        f"sys.path[:0] = [{str(REPO)!r}, {str(main.parent)!r}]\n"
        "import main\n"
        f"names = {sorted(ENTRY_POINTS)!r}\n"
        "missing = [n for n in names if not callable(getattr(main, n, None))]\n"
        "assert not missing, missing\n"
    )
    result = subprocess.run(  # noqa: S603 (our interpreter, fixed code)
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]


def _referenced_repo_paths(terraform: Terraform) -> set[str]:
    found: set[str] = set()
    for parsed in terraform.files.values():
        for text in strings(parsed):
            found |= {m.group(1) for m in REPO_PATH.finditer(text)}
    return found


def test_every_source_path_terraform_reads_exists(terraform: Terraform) -> None:
    paths = _referenced_repo_paths(terraform)
    assert {"functions/requirements.txt", "functions", "shared"} <= paths
    for path in paths:
        # `functions/${source.value}` is a fileset result: check its directory.
        assert (REPO / path).exists(), f"infra references missing repo path {path!r}"


def test_relay_build_uses_the_relay_dockerfile() -> None:
    config = (INFRA / "cloudbuild-relay.yaml").read_text()
    assert '"-f", "wa-relay/Dockerfile"' in config
    dockerfile = REPO / "wa-relay" / "Dockerfile"
    if not dockerfile.exists():
        pytest.skip("wa-relay/Dockerfile has not landed yet (issue 7)")
    # The build context is the repository root: every COPY source must exist there.
    for line in dockerfile.read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            sources = [w for w in words[1:-1] if not w.startswith("--")]
            for source in sources:
                assert list(REPO.glob(source)), f"wa-relay/Dockerfile copies missing {source!r}"


def test_inbound_is_ordered_retried_and_dead_lettered(terraform: Terraform) -> None:
    topic = terraform.resource("google_pubsub_topic", "inbound")
    assert topic["name"] == "${var.name_prefix}-wa-inbound"
    assert terraform.resource("google_pubsub_topic", "outbound")["name"] == (
        "${var.name_prefix}-wa-outbound"
    )
    inbound = terraform.resource("google_pubsub_subscription", "inbound")
    assert inbound["topic"] == "${google_pubsub_topic.inbound.id}"
    assert inbound["enable_message_ordering"] is True
    push = block(inbound, "push_config")
    assert 'fn["on_message"]' in push["push_endpoint"]
    assert block(push, "oidc_token")["service_account_email"].startswith(
        "${google_service_account.inbound_push"
    )
    for name in ("inbound", "outbound_relay"):
        sub = terraform.resource("google_pubsub_subscription", name)
        assert block(sub, "retry_policy")["maximum_backoff"]
        dead = block(sub, "dead_letter_policy")
        assert dead["dead_letter_topic"] == "${google_pubsub_topic.dead_letter.id}"
        assert 5 <= dead["max_delivery_attempts"] <= 100
    # on_message accepts only in-project traffic, and only the push identity may invoke it.
    assert terraform.locals["functions"]["on_message"]["ingress"] == "ALLOW_INTERNAL_ONLY"
    invoker = terraform.resource(
        "google_cloud_run_service_iam_member", "inbound_push_invokes_on_message"
    )
    assert invoker["member"] == "${google_service_account.inbound_push.member}"


def test_recorded_webhooks_are_pushed_to_the_settler_retried_and_dead_lettered(
    terraform: Terraform,
) -> None:
    topic = terraform.resource("google_pubsub_topic", "supplier_events")
    assert topic["name"] == "${var.name_prefix}-atl-events"
    assert terraform.locals["common_env"]["PUBSUB_SUPPLIER_EVENTS_TOPIC"] == (
        "${google_pubsub_topic.supplier_events.name}"
    )
    sub = terraform.resource("google_pubsub_subscription", "supplier_events")
    assert sub["topic"] == "${google_pubsub_topic.supplier_events.id}"
    push = block(sub, "push_config")
    assert 'fn["settle_supplier_event"]' in push["push_endpoint"]
    oidc = block(push, "oidc_token")
    assert oidc["service_account_email"] == "${google_service_account.events_push.email}"
    assert block(sub, "retry_policy")["maximum_backoff"]
    dead = block(sub, "dead_letter_policy")
    assert dead["dead_letter_topic"] == "${google_pubsub_topic.dead_letter.id}"
    assert 5 <= dead["max_delivery_attempts"] <= 100
    settler = terraform.locals["functions"]["settle_supplier_event"]
    assert settler["ingress"] == "ALLOW_INTERNAL_ONLY"
    # A delivery may take two supplier calls: the function outlives neither the ack deadline.
    assert settler["timeout"] == sub["ack_deadline_seconds"]
    # Only the push identity invokes it; only the webhook publishes to it.
    invoker = terraform.resource(
        "google_cloud_run_service_iam_member", "events_push_invokes_settler"
    )
    assert invoker["member"] == "${google_service_account.events_push.member}"
    publishers = [
        body["member"]
        for body in terraform.of_type("google_pubsub_topic_iam_member").values()
        if body["topic"] == "${google_pubsub_topic.supplier_events.id}"
    ]
    assert publishers == ['${google_service_account.runtime["webhook"].member}']
    # The settler moves money and notifies; the webhook only records and hands off.
    readers = terraform.locals["secret_readers"]
    assert "settler" in readers["ATL_API_KEY"]
    assert "settler" in readers["SUPABASE_SERVICE_ROLE_KEY"]
    outbound = terraform.resource("google_pubsub_topic_iam_member", "outbound_publishers")
    assert "settler" in outbound["for_each"]
    assert "webhook" not in outbound["for_each"]


def test_scheduler_calls_each_job_with_oidc_on_its_schedule(terraform: Terraform) -> None:
    assert terraform.locals["schedules"] == {
        "reactivate_keys": "*/5 * * * *",
        "refresh_prices": "*/10 * * * *",
        "reconcile": "*/2 * * * *",
        "check_balance": "0 * * * *",
        "purge_media": "30 * * * *",
        "deliver_outbox": "* * * * *",
    }
    job = terraform.resource("google_cloud_scheduler_job", "job")
    target = block(job, "http_target")
    assert target["uri"] == "${google_cloudfunctions2_function.fn[each.key].service_config[0].uri}"
    oidc = block(target, "oidc_token")
    assert oidc["service_account_email"] == "${google_service_account.scheduler.email}"
    assert oidc["audience"] == target["uri"]
    for name in terraform.locals["schedules"]:
        assert terraform.locals["functions"][name]["ingress"] == "ALLOW_INTERNAL_ONLY"
    # Only the webhook (Atlantic) and the console (the owner's browser, behind its own login)
    # are public.
    public = sorted(
        name
        for name, body in terraform.of_type("google_cloud_run_service_iam_member").items()
        if body["member"] == "allUsers"
    )
    assert public == ["console_public", "webhook_public"]
    assert terraform.locals["functions"]["console"]["ingress"] == "ALLOW_ALL"
    assert (
        "atlantic_webhook"
        in terraform.resources[("google_cloud_run_service_iam_member", "webhook_public")][
            "service"
        ]
    )


def test_relay_runs_exactly_one_instance_with_cpu_always_on(terraform: Terraform) -> None:
    relay = terraform.resource("google_cloud_run_v2_service", "relay")
    template = block(relay, "template")
    assert block(template, "scaling") == {"min_instance_count": 1, "max_instance_count": 1}
    container = block(template, "containers")
    assert block(container, "resources")["cpu_idle"] is False
    assert "wa-relay:" in terraform.locals["relay_image"]
    secret_env = [
        d["env"] for d in container["dynamic"] if "value_source" in d["env"]["content"][0]
    ]
    assert secret_env[0]["for_each"] == '${local.component_secrets["relay"]}'
    assert terraform.locals["secret_readers"]["WA_SESSION_DB"] == ["relay"]


def test_every_key_is_a_secret_container_without_a_value(terraform: Terraform) -> None:
    required = {
        "ATL_API_KEY",
        "ATL_USERNAME",
        "GEMINI_KEYS",
        "SUPABASE_SERVICE_ROLE_KEY",
        "SUPABASE_DB_URL",
        "UPSTASH_REDIS_REST_TOKEN",
        "APP_SECRET",
        "WA_SESSION_DB",
    }
    readers = terraform.locals["secret_readers"]
    assert required <= set(readers)
    assert terraform.resource("google_secret_manager_secret", "key")["for_each"] == (
        "${local.secret_readers}"
    )
    kinds = {kind for kind, _ in terraform.resources} | {kind for kind, _ in terraform.data}
    assert "google_secret_manager_secret_version" not in kinds, "secret values would be in state"
    for name, output in terraform.outputs.items():
        assert "secret_data" not in str(output), name
    # No variable smuggles a secret in: none is sensitive, none is named like a key.
    for name, variable in terraform.variables.items():
        assert not variable.get("sensitive"), name
        assert not re.search(r"key|token|secret|password", name), name


def test_environment_names_are_real_settings(terraform: Terraform) -> None:
    # LOG_HASH_SALT is read by shared.log; CONFIG_REVISION only forces new revisions.
    known = {name.upper() for name in Settings.model_fields}
    known |= {"LOG_HASH_SALT", "CONFIG_REVISION"}
    names = set(terraform.locals["common_env"]) | set(terraform.locals["secret_readers"])
    relay_extra = re.findall(r"(\w+)\s*=", str(terraform.locals["relay_env"]))
    assert relay_extra, "relay_env adds nothing?"
    names |= {name for name in relay_extra if name.isupper()}
    assert names - known == set(), "Terraform sets variables the code never reads"


def test_every_function_that_calls_atlantic_egresses_through_the_static_nat_ip(
    terraform: Terraform,
) -> None:
    service = block(terraform.resource("google_cloudfunctions2_function", "fn"), "service_config")
    assert service["vpc_connector"] == (
        "${each.value.static_egress ? google_vpc_access_connector.egress.id : null}"
    )
    assert service["vpc_connector_egress_settings"] == (
        '${each.value.static_egress ? "ALL_TRAFFIC" : null}'
    )
    functions = terraform.locals["functions"]
    direct = {name for name, fn in functions.items() if not fn["static_egress"]}
    # Only these never call Atlantic (tests/functions/test_egress.py runs them to prove it).
    assert direct == {"atlantic_webhook", "reactivate_keys", "purge_media"}
    nat = terraform.resource("google_compute_router_nat", "egress")
    assert nat["nat_ip_allocate_option"] == "MANUAL_ONLY"
    assert nat["nat_ips"] == ["${google_compute_address.egress.self_link}"]
    assert "google_compute_subnetwork.connector" in block(nat, "subnetwork")["name"]
    assert terraform.outputs["egress_ip"]["value"] == "${google_compute_address.egress.address}"
    assert "atlantic_webhook" in terraform.outputs["atlantic_webhook_url"]["value"]


def test_nat_ports_grow_with_load(terraform: Terraform) -> None:
    # The static default (64 ports per connector instance) drops connections under load.
    nat = terraform.resource("google_compute_router_nat", "egress")
    assert nat["enable_dynamic_port_allocation"] is True
    assert nat["enable_endpoint_independent_mapping"] is False
    low, high = nat["min_ports_per_vm"], nat["max_ports_per_vm"]
    for ports in (low, high):
        assert ports >= 32
        assert ports & (ports - 1) == 0, "Cloud NAT wants powers of two"
    connector = terraform.resource("google_vpc_access_connector", "egress")
    assert connector["max_instances"] * high <= 64512, "one address has 64512 ports"
    assert low >= 1024


def test_service_accounts_are_per_component_without_project_roles(terraform: Terraform) -> None:
    assert set(terraform.locals["runtime_components"]) == {
        "relay",
        "handler",
        "webhook",
        "settler",
        "jobs",
        "console",
    }
    assert {terraform.locals["functions"][name]["component"] for name in ENTRY_POINTS} == {
        "handler",
        "webhook",
        "settler",
        "jobs",
        "console",
    }
    project_grants = terraform.of_type("google_project_iam_member")
    assert set(project_grants) == {"build"}
    assert project_grants["build"]["member"] == "${google_service_account.build.member}"
    text = " ".join(strings(terraform.files))
    for broad in (
        "roles/owner",
        "roles/editor",
        "roles/secretmanager.admin",
        "roles/pubsub.admin",
    ):
        assert broad not in text


def test_variables_are_described_and_validated(terraform: Terraform) -> None:
    for name, variable in terraform.variables.items():
        assert len(variable.get("description", "")) > 15, f"{name} needs a description"
        if variable["type"] != "bool":
            assert variable.get("validation"), f"{name} needs a validation block"


def test_tfvars_example_sets_every_required_variable_and_nothing_else(
    terraform: Terraform,
) -> None:
    example = normalize(hcl2.loads((INFRA / "terraform.tfvars.example").read_text()))
    given = set(example)
    assert given <= set(terraform.variables)
    required = {name for name, v in terraform.variables.items() if "default" not in v}
    assert required <= given


def test_every_alert_condition_restricts_the_resource_type(terraform: Terraform) -> None:
    # Without it the Monitoring API answers 400 "must specify a restriction on resource.type"
    # (hashicorp/terraform-provider-google#4165): terraform validate cannot see this.
    for name, policy in terraform.of_type("google_monitoring_alert_policy").items():
        for condition in policy["conditions"]:
            threshold = block(condition, "condition_threshold")
            # (python-hcl2 keeps the escapes of quotes inside a string)
            assert re.search(r'resource\.type=\\?"\w+', threshold["filter"]), name


def test_log_alerts_page_on_exactly_the_paging_events(terraform: Terraform) -> None:
    alerted = {e for alert in terraform.locals["log_alerts"].values() for e in alert["events"]}
    assert alerted == {event.value for event in PAGING_EVENTS}
    metric = terraform.resource("google_logging_metric", "event")
    assert "jsonPayload.event=" in metric["filter"]
    assert "each.value.patterns" in metric["filter"]


@functools.cache
def _code_strings() -> tuple[str, ...]:
    found = []
    for folder in ("shared", "wa-relay", "functions"):
        for path in (REPO / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            # Docstrings describe messages; only strings the code can log count.
            docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docs
                ):
                    found.append(node.value)
    return tuple(found)


def _message_patterns() -> list[tuple[str, str]]:
    parsed = normalize(hcl2.loads((INFRA / "monitoring.tf").read_text()))
    local = {k: v for block in parsed["locals"] for k, v in block.items()}
    pairs = [(name, p) for name, alert in local["log_alerts"].items() for p in alert["patterns"]]
    return [*pairs, ("turn_tier", local["turn_tier_pattern"])]


@pytest.mark.parametrize(("alert", "pattern"), _message_patterns())
def test_each_message_pattern_matches_a_message_the_code_logs(alert: str, pattern: str) -> None:
    emitter = PENDING_EMITTERS.get(alert)
    if emitter and not (REPO / emitter).exists():
        pytest.skip(f"{emitter} has not landed yet; it emits the {alert} message")
    regex = re.compile(pattern)
    assert any(regex.search(text) for text in _code_strings()), (
        f"{alert}: no string in the code matches {pattern!r}; the alert could never fire"
    )


def test_functions_requirements_are_the_pinned_runtime_closure() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("fr", INFRA / "functions_requirements.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (REPO / "functions" / "requirements.txt").read_text()
    assert text == module.render(REPO), "stale: run `make functions-requirements`"
    lock = module.read_lock(REPO / "requirements.lock")
    pins = module.read_lock(REPO / "functions" / "requirements.txt")
    for name, (_, version) in pins.items():
        assert lock[name][1] == version, name
    assert {"functions-framework", "pydantic", "google-cloud-pubsub"} <= set(pins)
    assert not {"neonize", "pgserver", "pytest", "mypy", "python-hcl2"} & set(pins)


@functools.cache
def _emitted_event_names() -> frozenset[str]:
    names = set()
    for folder in ("shared", "wa-relay", "functions"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "Event"
                ):
                    names.add(node.attr)
    return frozenset(names)


@pytest.mark.parametrize("event", sorted(PAGING_EVENTS, key=str))
def test_every_paging_event_has_an_emitter(terraform: Terraform, event: Event) -> None:
    alert = next(a for a in terraform.locals["log_alerts"].values() if event in a["events"])
    if event.name in _emitted_event_names():
        return
    patterns = [re.compile(p) for p in alert["patterns"]]
    if any(p.search(text) for p in patterns for text in _code_strings()):
        return
    pytest.fail(
        f"no code emits {event.value} (log_event(log, Event.{event.name}, ...)); "
        f"the alert {alert['display_name']!r} could never fire"
    )
