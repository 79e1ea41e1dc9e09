"""The operator's guide and the Terraform agree: every alert it explains exists, and vice versa."""

from __future__ import annotations

import re

from conftest import REPO, Terraform

from shared.observability import PAGING_EVENTS

GUIDE = REPO / "docs" / "operations.md"


def guide_alerts() -> list[str]:
    text = GUIDE.read_text()
    section = text.split("\n## 8. Alerts\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^### (.+)$", section, flags=re.MULTILINE)


def terraform_alerts(terraform: Terraform) -> list[str]:
    names = [alert["display_name"] for alert in terraform.locals["log_alerts"].values()]
    for policy in terraform.of_type("google_monitoring_alert_policy").values():
        if "for_each" not in policy:
            names.append(policy["display_name"])
    return names


def test_every_alert_in_the_guide_exists_in_terraform_and_back(terraform: Terraform) -> None:
    documented = guide_alerts()
    assert len(documented) == len(set(documented)), "an alert is documented twice"
    assert sorted(documented) == sorted(terraform_alerts(terraform))


def test_the_guide_names_every_paging_event() -> None:
    text = GUIDE.read_text()
    missing = [event.value for event in PAGING_EVENTS if f"`{event.value}`" not in text]
    assert not missing, f"docs/operations.md does not explain {missing}"


def test_the_readme_links_the_guide() -> None:
    readme = (REPO / "README.md").read_text()
    assert "## Deployment and operations" in readme
    assert "(docs/operations.md)" in readme


def test_the_guide_covers_the_operator_tasks() -> None:
    text = GUIDE.read_text()
    for must in (
        "salesbot migrate",
        "salesbot doctor",
        "gcloud secrets versions add",
        "terraform apply",
        "Pair the WhatsApp number",
        "atlantic_webhook_url",
        "egress_ip",
        "Rotate Gemini keys",
        "Dashboards",
        "[Service]",
        "ExecStart=",
    ):
        assert must in text, must
