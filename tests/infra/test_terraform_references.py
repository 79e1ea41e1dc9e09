"""The reference half of `terraform validate`, offline (tests/infra/tfrefs.py explains how).

The first test checks infra/ itself; the others inject one mistake each into a copy of infra/
and prove the checker reports it, so a checker that silently stopped looking would fail here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import tfrefs
from conftest import INFRA


def test_every_reference_in_infra_resolves_and_every_declaration_is_used() -> None:
    config = tfrefs.load(INFRA)
    # Sanity: the checker saw the configuration (a parse that found nothing would pass vacuously).
    roots = {ref.root for ref in config.references}
    assert {"var", "local", "data", "google_pubsub_topic", "google_service_account"} <= roots
    assert len(config.references) > 150
    assert tfrefs.problems(config) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "pubsub.tf",
            "topic                      = google_pubsub_topic.inbound.id",
            "topic                      = google_pubsub_topic.inbund.id",
            "no resource google_pubsub_topic.inbund",
        ),
        ("outputs.tf", "google_compute_address.egress.address", "var.egress", "no variable"),
        ("functions.tf", "local.inbound_ack_deadline_seconds", "local.ack", "no local 'ack'"),
        (
            "functions.tf",
            "data.archive_file.functions.output_md5",
            "data.archive_file.function.output_md5",
            "no data data.archive_file.function",
        ),
        (
            "scheduler.tf",
            "google_service_account.scheduler.email",
            "google_service_account.runtime.email",
            "index it before reading an attribute",
        ),
        (
            "pubsub.tf",
            "google_service_account.inbound_push.email",
            'google_service_account.inbound_push["x"].email',
            "cannot be indexed",
        ),
        (
            "scheduler.tf",
            "depends_on = [google_cloud_run_service_iam_member.scheduler_invokes_jobs]",
            "depends_on = [google_cloud_run_service_iam_member.scheduler_invoke]",
            "no resource google_cloud_run_service_iam_member.scheduler_invoke",
        ),
        (
            "relay.tf",
            "var.relay_image_tag",
            '"latest"',
            "variable relay_image_tag is never used",
        ),
        (
            "outputs.tf",
            "value       = google_compute_address.egress.address",
            "value       = google_compute_address.egress.address\n"
            '}\n\noutput "leak" {\n  value = google_secret_manager_secret.key["APP_SECRET"]'
            ".secret_data",
            "output leak carries a secret and must be sensitive = true",
        ),
        (
            "functions.tf",
            "available_memory                 = each.value.memory",
            "available_memory                 = each.value.memry",
            "each.value.memry: no 'memry' in",
        ),
        (
            "network.tf",
            'resource "google_compute_router" "egress" {',
            'resource "google_compute_address" "egress" {\n}\n\n'
            'resource "google_compute_router" "egress" {',
            "google_compute_address.egress is declared 2 times",
        ),
    ],
)
def test_the_checker_reports_an_injected_mistake(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform", ".build"))
    path = copy / file
    text = path.read_text()
    assert old in text, f"{file} changed; update this injection"
    path.write_text(text.replace(old, new, 1))
    found = tfrefs.problems(tfrefs.load(copy))
    assert any(expected in problem for problem in found), found
