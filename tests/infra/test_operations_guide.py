"""The operator's guide can be followed as written: its commands exist, its DSNs are accepted.

docs/operations.md walks a fresh project from nothing to a paired relay. These tests read it the
way an operator copies from it: every `salesbot` command parses, every `terraform output` and
`-target` names something infra/ declares, every secret it adds exists, every connection string
is the kind the code accepts (and connects to the schema it promises), and the steps come in the
order that works (issue 16): doctor, migrate, apply with the relay off, pair, relay on, doctor.
"""

from __future__ import annotations

import re
import shlex
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from conftest import INFRA, REPO, Terraform

from shared.adapters.whatsapp.session_store import session_db
from shared.cli import build_parser
from shared.config import load_settings
from shared.dsn import SESSION_SCHEMA, parse_dsn
from shared.errors import ConfigError

GUIDE = (REPO / "docs" / "operations.md").read_text()
ENV_EXAMPLE = (REPO / ".env.example").read_text()
PLACEHOLDERS = {"<ref>": "abcdefghijklmnop", "<password>": "pw", "...": "pw"}
PLACEHOLDERS |= {"<region>": "ap-southeast-1", "<name>": "example-12345"}


def _filled(text: str) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text


def _blocks() -> str:
    """Every code block of the guide, continuation lines joined."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", GUIDE, flags=re.DOTALL)
    return "\n".join(blocks).replace("\\\n", " ")


def _code() -> str:
    """Every code block and inline code span of the guide, as one text."""
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", GUIDE, flags=re.DOTALL))
    return "\n".join([_blocks(), *spans])


def _dsns() -> list[str]:
    return sorted(set(re.findall(r"postgresql://[^\s'\"`)]+", GUIDE)))


def _assigned(name: str, text: str | None = None) -> list[str]:
    source = _code() if text is None else text
    return [_filled(v) for v in re.findall(rf"^[#\s]*{name}=(\S+)$", source, flags=re.MULTILINE)]


# --- connection strings ------------------------------------------------------------------------


def test_the_guide_gives_session_pooler_strings_for_both_databases() -> None:
    found = _dsns()
    assert found, "the guide shows no connection string"
    for dsn in map(parse_dsn, map(_filled, found)):
        assert dsn.kind == "supabase_session", dsn  # IPv4, a real session
        assert dsn.user == "postgres.abcdefghijklmnop"
        assert dsn.port == 5432
        assert dsn.dbname == "postgres"  # the one database the pooler routes reliably
    assert "db.<ref>.supabase.co:5432" not in GUIDE, "the direct host is IPv6-only"
    assert len(_assigned("SUPABASE_DB_URL")) == 1
    assert len(_assigned("WA_SESSION_DB")) == 1
    # .env.example shows the very same strings.
    for name in ("SUPABASE_DB_URL", "WA_SESSION_DB"):
        assert _assigned(name, ENV_EXAMPLE) == _assigned(name), name


def test_the_code_accepts_the_strings_the_guide_prints() -> None:
    [migrate_url] = _assigned("SUPABASE_DB_URL")
    [session_url] = _assigned("WA_SESSION_DB")
    settings = load_settings(
        supabase_url="https://abcdefghijklmnop.supabase.co",
        supabase_db_url=migrate_url,
        wa_session_db=session_url,
    )
    # neonize opens PostgreSQL only for a name that starts with "postgres" (else: a SQLite file).
    assert session_db(settings) == session_url
    assert session_url.startswith("postgres")
    assert parse_dsn(session_url).search_path == SESSION_SCHEMA
    assert parse_dsn(migrate_url).search_path is None  # migrations work in public
    # The secrets added in section 3 are the same strings.
    added = {
        m.group(1): _filled(m.group(2)) for m in re.finditer(r"add (\S+)\s+'([^']*)'", _code())
    }
    assert added["supabase-db-url"] == migrate_url
    assert added["wa-session-db"] == session_url


def test_the_session_string_lands_in_its_own_schema(database_url: str) -> None:
    """The guide's query string, on the session database: libpq takes the option as written."""
    [session_url] = _assigned("WA_SESSION_DB")
    info = psycopg.conninfo.conninfo_to_dict(database_url)
    local = urlsplit(session_url)._replace(
        netloc=f"{info.get('user', 'postgres')}@{info.get('host')}:{info.get('port', 5432)}",
        path=f"/{info['dbname']}",
        query="&".join(p for p in urlsplit(session_url).query.split("&") if "sslmode" not in p),
    )
    with psycopg.connect(urlunsplit(local)) as conn:
        row = conn.execute("SELECT current_schema()").fetchone()
    assert row is not None
    assert row[0] == SESSION_SCHEMA  # migration 0035 created it


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "wa_session_db",
            "postgresql://postgres.ref:pw@aws-0-ap-southeast-1.pooler.supabase.com:6543/postgres",
            "WA_SESSION_DB: Value error, the WhatsApp session store needs a session: use "
            "Supabase's session pooler (port 5432), not the transaction pooler (port 6543)",
        ),
        (
            "supabase_db_url",
            "postgresql://postgres.ref:pw@aws-0-ap-southeast-1.pooler.supabase.com:6543/postgres",
            "SUPABASE_DB_URL: Value error, salesbot migrate needs a session",
        ),
        (
            "wa_session_db",
            "host=db.ref.supabase.co dbname=postgres",
            "WA_SESSION_DB: Value error, expected a postgresql://user:password@host:port/database",
        ),
    ],
)
def test_strings_that_cannot_work_are_refused_at_start_up(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(**{variable: value})
    assert message in str(refused.value)
    assert "pw@" not in str(refused.value), "a password never appears in an error"


# --- commands ----------------------------------------------------------------------------------


def _commands(program: str) -> list[list[str]]:
    found = []
    for raw in _code().splitlines():
        # A commented alternative ("# or: salesbot relay --pair-phone …   (what it does)") is
        # copied too; its trailing explanation is not.
        line = re.sub(r"\s{2,}\(.*$", "", raw.removeprefix("# or:")).split(" #", 1)[0]
        for part in re.split(r"&&|;|\|", line):
            try:
                words = shlex.split(part.replace("$(", "(").replace("'", ""), posix=True)
            except ValueError:  # prose in a code span, not a command
                continue
            # The program itself: first on the line (after VAR=value), or run by its path.
            at = next(
                (
                    i
                    for i, w in enumerate(words)
                    if w.endswith(f"bin/{program}")
                    or (w == program and all("=" in v for v in words[:i]))
                ),
                None,
            )
            if at is not None:
                found.append(words[at + 1 :])
    return found


def test_every_salesbot_command_in_the_guide_parses() -> None:
    commands = _commands("salesbot")
    verbs = {words[0] for words in commands if words}
    assert {"doctor", "migrate", "relay"} <= verbs
    parser = build_parser()
    for words in commands:
        if words and not words[0].startswith("<"):
            parser.parse_args([w for w in words if not w.startswith(("<", "("))])


def test_every_terraform_name_in_the_guide_exists(terraform: Terraform) -> None:
    code = _code()
    outputs = set(re.findall(r"terraform(?: -chdir=infra)? output(?: -raw)? (\w+)", code))
    assert {"atlantic_webhook_url", "egress_ip", "doctor_env", "relay_image"} <= outputs
    assert {"build_service_account", "webhook_service", "console_service", "secret_ids"} <= outputs
    assert outputs <= set(terraform.outputs)
    for target in re.findall(r"-target=(\w+)\.(\w+)", code):
        assert target in terraform.resources, target
    assert (INFRA / "cloudbuild-relay.yaml").exists()
    for name in re.findall(r"(\w+) = (?:true|false|\"[a-z_]+\")", GUIDE):
        assert name in terraform.variables, name
    assert '"no_invoker_check"' in str(terraform.variables["public_access"])


def test_every_secret_the_guide_adds_is_one_terraform_creates(terraform: Terraform) -> None:
    added = set(re.findall(r"^add (\S+)", _blocks(), flags=re.MULTILINE))
    created = {name.lower().replace("_", "-") for name in terraform.locals["secret_readers"]}
    assert added == created
    prefix = terraform.variables["name_prefix"]["default"]
    assert f'gcloud secrets versions add "{prefix}-$1"' in _code()
    job = re.search(r"gcloud scheduler jobs run (\S+)", _code())
    assert job is not None
    assert (
        job.group(1).removeprefix(f"{prefix}-").replace("-", "_") in terraform.locals["schedules"]
    )


def test_the_relay_image_is_built_as_the_build_account() -> None:
    [build] = [line for line in _code().splitlines() if "gcloud builds submit" in line]
    assert "--service-account=" in build
    assert "build_service_account" in build


# --- order -------------------------------------------------------------------------------------


def test_the_guide_walks_a_fresh_project_in_the_order_that_works() -> None:
    steps = GUIDE.split("\n## 6. ", 1)[0]

    def at(marker: str, start: int = 0) -> int:
        found = steps.find(marker, start)
        assert found >= 0, f"the guide lost the step {marker!r}"
        return found

    migrate = at("salesbot migrate\n")
    first_doctor = at("salesbot doctor", migrate)
    first_apply = at("terraform apply", first_doctor)
    relay_off = at("terraform apply plan", first_apply)
    pairing = at("salesbot relay", relay_off)
    relay_on = at("set `deploy_relay = true`", pairing)
    atlantic = at("**CALLBACK**", relay_on)
    last_doctor = at("salesbot doctor", atlantic)
    assert "keep deploy_relay = false" in steps[first_apply - 200 : relay_off]
    assert migrate < first_doctor < first_apply < relay_off < pairing < relay_on < last_doctor
    # Each step says what the operator sees.
    assert steps.count("What you see") >= 4
