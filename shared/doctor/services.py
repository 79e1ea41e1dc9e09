"""The doctor's service checks: cache, Atlantic, Gemini keys, Pub/Sub, media, the webhook.

Each one talks to the real service through the adapter the bot itself uses, with a short timeout
and no retries, and never spends money, generates text or sends a message.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from shared.doctor.finding import Finding, failed, passed
from shared.errors import CacheError, LLMError, LLMRateLimited, SupplierError

if TYPE_CHECKING:
    from shared.adapters.atlantic.models import Profile
    from shared.adapters.gemini.keys import GeminiKey, KeyRing
    from shared.config import Settings
    from shared.wiring import Components

_TIMEOUT = 10.0


def cache(components: Components) -> list[Finding]:
    """A key written with a TTL reads back, carries its expiry and goes away."""
    settings = components.settings
    if settings.cache_mode == "memory":
        return [passed("cache", "in-memory (one process, nothing shared): nothing to check")]
    where = (
        f"Upstash {settings.upstash_redis_rest_url}"
        if settings.cache_mode == "upstash"
        else "Redis at REDIS_URL"
    )
    store = components.cache
    key = f"doctor:{uuid.uuid4().hex}"
    try:
        store.set(key, "ok", ttl_seconds=60)
        value, left = store.get(key), store.ttl(key)
        store.delete(key)
    except CacheError as exc:
        return [failed("cache", f"{where}: {_cache_problem(settings, exc)}")]
    if value != "ok":
        return [failed("cache", f"{where} did not return what was written: is it a cache?")]
    if left is None or not 0 < left <= 60:
        return [failed("cache", f"{where} lost the key's expiry: cooldowns and locks need TTLs")]
    return [passed("cache", f"{where}: write, read and expiry work")]


def _cache_problem(settings: Settings, exc: CacheError) -> str:
    cause = exc.__cause__
    text = f"{type(cause).__name__}: {cause}" if cause else str(exc)
    if isinstance(cause, httpx.TransportError) or "ConnectionError" in text:
        return "cannot reach it: check the URL and this network"
    if "Unauthorized" in text or "WRONGPASS" in text or "AuthenticationError" in text:
        name = "UPSTASH_REDIS_REST_TOKEN" if settings.cache_mode == "upstash" else "REDIS_URL"
        return f"the credentials were refused: copy {name} again (Upstash: REST API section)"
    return f"failed ({text[:160]})"


def atlantic(components: Components) -> list[Finding]:
    """get_profile answers: the account, its balance, the username that signs webhooks."""
    settings = components.settings
    if settings.atl_api_key is None:
        return [
            passed(
                "atlantic",
                "built-in sandbox (no ATL_API_KEY): orders are simulated; set ATL_API_KEY and "
                "ATL_USERNAME to sell for real",
            )
        ]
    profile = _profile(settings, settings.atl_api_key.get_secret_value())
    if isinstance(profile, Finding):
        return [profile]
    found = (
        f"{settings.atl_base_url} answers: account {profile.username or profile.name!r}, "
        f"balance Rp {_rupiah(profile.balance)}"
    )
    username = settings.atl_username.get_secret_value() if settings.atl_username else None
    if username != profile.username:
        return [
            failed(
                "atlantic",
                f"{found}; ATL_USERNAME {'is not set' if username is None else 'differs'}: it "
                "must be this account's username, whose MD5 signs every webhook (else each "
                "callback is refused)",
            )
        ]
    if profile.balance < settings.supplier_balance_alert:
        limit = _rupiah(settings.supplier_balance_alert)
        return [
            failed("atlantic", f"{found}, below SUPPLIER_BALANCE_ALERT (Rp {limit}): top it up")
        ]
    return [passed("atlantic", found)]


def _rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _profile(settings: Settings, api_key: str) -> Profile | Finding:
    """The account's profile, or the finding that says why Atlantic would not give it."""
    from shared.adapters.atlantic import (  # noqa: PLC0415
        ApiKeyRefused,
        AtlanticClient,
        IpNotWhitelisted,
        make_http_client,
    )

    base = settings.atl_base_url
    http = make_http_client(base, min(settings.atl_timeout_seconds, _TIMEOUT))
    client = AtlanticClient(http, api_key, read_retries=0)
    try:
        return client.get_profile()
    except IpNotWhitelisted as exc:
        return failed(
            "atlantic",
            f"Atlantic refused this machine's IP {exc.ip}: it is not whitelisted. Whitelist "
            "the address the bot calls from (cloud: `terraform output egress_ip`; a server: "
            "its public IP) at atlantich2h.com → API → IP Address. Run from another machine, "
            "doctor sees this refusal too: there, use `--skip atlantic` and run the "
            "check_balance job in the cloud (docs/operations.md, section 5)",
        )
    except ApiKeyRefused:
        return failed(
            "atlantic",
            f"{base} refused ATL_API_KEY: copy the key again from atlantich2h.com → API",
        )
    except SupplierError as exc:
        return failed("atlantic", f"{base}: {exc}: check ATL_BASE_URL and this network")
    finally:
        client.close()


def gemini(components: Components) -> list[Finding]:
    """Each key lists the models it may use (no generation), GEMINI_MODEL among them."""
    settings = components.settings
    ring = _key_ring(components)
    keys = ring.ordered_keys() if ring is not None else []
    if not keys:
        return [passed("gemini", "no GEMINI_KEYS: the offline rules answer every message")]
    from shared.adapters.gemini.client import make_client, offered_models  # noqa: PLC0415

    findings = []
    for position, key in enumerate(keys, start=1):
        label = _key_label(key, position)
        try:
            models = offered_models(make_client(key.secret, settings))
        except LLMRateLimited as exc:
            findings.append(failed(label, _refusal(exc)))
            continue
        except LLMError as exc:
            findings.append(failed(label, f"cannot ask Gemini ({exc}): check this network"))
            continue
        if settings.gemini_model not in models:
            findings.append(
                failed(
                    label,
                    f"valid, but GEMINI_MODEL {settings.gemini_model!r} is not offered to it: "
                    f"use one of {', '.join(m for m in models if 'gemini' in m)[:200]}",
                )
            )
            continue
        resting = ring.resting_until(key) if ring is not None else None
        state = (
            f"resting until {resting:%Y-%m-%d %H:%M} UTC after a quota error; the "
            "reactivation job re-enables it"
            if resting is not None
            else "in use"
        )
        findings.append(passed(label, f"valid, offers {settings.gemini_model}; {state}"))
    return findings


def _key_ring(components: Components) -> KeyRing | None:
    """The ring the bot rotates over; without the embedded database when it is not running."""
    if components.settings.database_mode != "embedded":
        gemini = components.gemini
        return gemini.ring if gemini is not None else None
    from shared.adapters.gemini.factory import build_gemini  # noqa: PLC0415

    built = build_gemini(components.settings, cache=components.cache, clock=components.clock)
    return built.ring if built is not None else None


def _key_label(key: GeminiKey, position: int) -> str:
    where = f"GEMINI_KEYS #{position}" if key.source == "env" else "the api_keys table"
    return f"gemini key {key.id} ({where})"


def _refusal(exc: LLMRateLimited) -> str:
    from shared.adapters.gemini.client import LLMKeyRejected  # noqa: PLC0415

    if isinstance(exc, LLMKeyRejected):
        return (
            f"Google refused this key ({exc}): replace it (Google AI Studio → API keys) in "
            "GEMINI_KEYS or the api_keys table"
        )
    return f"out of quota right now ({exc}): add keys or wait for the daily reset"


def pubsub(components: Components) -> list[Finding]:
    """Every topic exists and has a subscription; the relay's subscription is on wa-outbound."""
    settings = components.settings
    if not settings.gcp_project:
        return [passed("pubsub", "in-process bus (no GCP_PROJECT): nothing to check")]
    from shared.adapters.pubsub.publisher import (  # noqa: PLC0415
        Publisher,
        PublishError,
        PubSubAccessDenied,
        TopicNotFound,
    )

    publisher = Publisher(settings.gcp_project)
    findings = []
    topics = {
        "PUBSUB_INBOUND_TOPIC": settings.pubsub_inbound_topic,
        "PUBSUB_OUTBOUND_TOPIC": settings.pubsub_outbound_topic,
        "PUBSUB_SUPPLIER_EVENTS_TOPIC": settings.pubsub_supplier_events_topic,
    }
    try:
        for variable, topic in topics.items():
            check = f"pubsub {topic}"
            try:
                subscriptions = publisher.subscriptions(topic, timeout_seconds=_TIMEOUT)
            except TopicNotFound as exc:
                findings.append(
                    failed(
                        check,
                        f"{exc}: run `terraform apply`, or set {variable} to the name it "
                        "created (topics start with name_prefix; `terraform output doctor_env`)",
                    )
                )
                continue
            except PubSubAccessDenied as exc:
                findings.append(
                    failed(
                        check,
                        f"{exc}: log in with `gcloud auth application-default login` as a "
                        "project owner",
                    )
                )
                continue
            except PublishError as exc:
                findings.append(failed(check, f"{exc}: check GCP_PROJECT and this network"))
                continue
            findings.append(_topic_finding(check, settings, variable, subscriptions))
    finally:
        publisher.close()
    return findings


def _topic_finding(
    check: str, settings: Settings, variable: str, subscriptions: list[str]
) -> Finding:
    if not subscriptions:
        return failed(
            check,
            "exists but nothing subscribes to it: every message is lost; run `terraform apply`",
        )
    wanted = settings.pubsub_outbound_subscription
    if variable == "PUBSUB_OUTBOUND_TOPIC" and wanted not in subscriptions:
        return failed(
            check,
            f"PUBSUB_OUTBOUND_SUBSCRIPTION {wanted!r} is not one of its subscriptions "
            f"({', '.join(subscriptions)}): the relay would pull nothing; set it from "
            "`terraform output doctor_env`",
        )
    return passed(check, f"exists; subscribed by {', '.join(subscriptions)}")


def media(components: Components) -> list[Finding]:
    """The media bucket exists and is private (voice notes and images of customers)."""
    from shared.adapters.storage import MediaNotFound, media_store  # noqa: PLC0415
    from shared.adapters.storage.supabase_store import SupabaseMediaStore  # noqa: PLC0415

    settings = components.settings
    store = media_store(settings)
    if not isinstance(store, SupabaseMediaStore):
        folder = (settings.data_dir / "media").resolve()
        return [
            passed("media", f"local folder {folder}, files written readable by this user only")
        ]
    bucket = settings.media_bucket
    try:
        public = store.bucket_is_public()
    except MediaNotFound as exc:
        return [
            failed(
                "media",
                f"{exc}: create a private bucket named {bucket!r} in Supabase → Storage "
                "(or set MEDIA_BUCKET)",
            )
        ]
    except httpx.HTTPError as exc:
        return [failed("media", f"cannot reach Supabase Storage ({type(exc).__name__})")]
    if public:
        return [
            failed(
                "media",
                f"bucket {bucket!r} is PUBLIC: anyone with a link hears customers' voice notes; "
                "make it private (Supabase → Storage → the bucket → Edit)",
            )
        ]
    return [passed("media", f"bucket {bucket!r} exists and is private")]


def webhook(components: Components) -> list[Finding]:
    """The URL Atlantic must be given answers, and refuses an unsigned call itself."""
    settings = components.settings
    url = settings.atl_webhook_url
    if not url:
        if settings.uses_sandbox:
            return [
                passed(
                    "webhook",
                    "the built-in sandbox calls the bot in-process; a real account needs a public "
                    "https URL (ATL_WEBHOOK_URL: `terraform output atlantic_webhook_url`, or "
                    "https://<your server>/webhook/atlantic)",
                )
            ]
        return [
            failed(
                "webhook",
                "set ATL_WEBHOOK_URL to the callback URL Atlantic has (`terraform output "
                "atlantic_webhook_url`, or https://<your server>/webhook/atlantic) so doctor can "
                "check it",
            )
        ]
    parts = urlsplit(url)
    if parts.scheme != "https" and not _loopback(parts.hostname or ""):
        return [failed("webhook", f"{url} is not https: Atlantic needs a public https URL")]
    try:
        answer = httpx.post(
            url, content=b"{}", headers={"Content-Type": "application/json"}, timeout=_TIMEOUT
        )
    except httpx.HTTPError as exc:
        return [failed("webhook", f"cannot reach {url} ({type(exc).__name__}): Atlantic cannot")]
    return [_webhook_answer(url, answer)]


def _webhook_answer(url: str, answer: httpx.Response) -> Finding:
    ours = answer.headers.get("content-type", "").startswith("application/json")
    if answer.status_code == 401 and ours:
        return passed(
            "webhook",
            f"give Atlantic {url} (atlantich2h.com → API → CALLBACK): it answers and refused "
            "an unsigned test call, as it must",
        )
    if answer.status_code in (401, 403):
        return failed(
            "webhook",
            f"{url}: Google refused an anonymous call ({answer.status_code}) before the "
            "function, so Atlantic's calls are refused too: apply with public_access = "
            '"allusers", or turn the invoker check off: `gcloud run services update '
            "$(terraform output -raw webhook_service) --region=REGION --no-invoker-iam-check`",
        )
    if answer.status_code == 404:
        return failed("webhook", f"nothing answers at {url}: copy the URL again")
    if answer.is_success:
        return failed(
            "webhook",
            f"{url} accepted a call without a signature: it is not this bot's webhook",
        )
    return failed("webhook", f"{url} answered HTTP {answer.status_code}: read its logs")


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
