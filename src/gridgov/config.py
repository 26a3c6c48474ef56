"""Settings read from ``GRIDGOV_*`` environment variables.

The secret key protects sessions and encrypted fields, so outside demo mode a real one is required
and well-known placeholder values are refused. In demo mode a key is generated once and kept under
``var/`` so that a restart keeps the same key.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gridgov.kit.crypto import parse_field_keys
from gridgov.policy.loader import available_profiles

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "password", "placeholder", "xxx", "todo", "dev", "test"}
)


def default_var_dir() -> Path:
    return Path.cwd() / "var"


class Settings(BaseSettings):
    """Everything a deployment may set. Read once per process (see :func:`get_settings`)."""

    model_config = SettingsConfigDict(env_prefix="GRIDGOV_", extra="ignore")

    var_dir: Path = Field(default_factory=default_var_dir)
    database_url: str = ""
    profile: str = "zhenjiang"
    demo: bool = False
    secret_key: str = ""
    field_keys: str = ""
    """GRIDGOV_FIELD_KEYS: more field-encryption keys as ``id:secret`` pairs, comma-separated (ids
    1–255, secrets ≥ 32 characters). Key 0 is derived from the secret key. The highest id seals new
    values; ``gridgov keys rotate`` re-seals the old ones (see gridgov.kit.crypto)."""
    field_key_current: int | None = Field(None, ge=0, le=255)
    """GRIDGOV_FIELD_KEY_CURRENT: the key id that seals new values (default: the highest listed)."""
    tile_url: str = ""
    tile_attribution: str = ""
    public_url: str = ""
    """The site's address as the public reaches it (``GRIDGOV_PUBLIC_URL``, e.g. ``https://grid.example.gov.cn``):
    the printed board's QR code and link are this address plus the board's path. Empty: the address the
    server was reached by (fine on one machine, wrong behind a proxy or when printed from an intranet)."""
    host: str = "127.0.0.1"
    port: int = 8000
    sweep_interval_seconds: int = 60
    login_max_failures: int = Field(5, ge=1)
    lockout_minutes: int = Field(15, ge=1)
    login_ip_max_failures: int = Field(10, ge=1)
    login_ip_window_minutes: int = Field(5, ge=1)
    secure_cookies: bool = False
    """The site is served over TLS (perhaps behind a TLS-terminating proxy): the session and CSRF
    cookies are ``Secure`` and responses carry Strict-Transport-Security even when the request
    reached us as plain http. Without it, both follow the request's own scheme."""
    require_2fa: bool = False
    """Administrative roles (models.accounts.TWO_FACTOR_ROLES) must log in with a TOTP code."""
    session_hours: int = Field(12, ge=1)
    token_hours: int = Field(12, ge=1)
    media_dir: Path | None = None
    # Request body caps per route class (see gridgov.body_limits): 413 beyond them, before reading.
    max_json_bytes: int = Field(1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024)
    max_import_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    case_types: Path | None = None
    """GRIDGOV_CASE_TYPES: a city's own file of case types (事件类型) replacing the shipped one
    (gridgov/cases/data/case_types.csv); checked against the profile at start-up, all or nothing."""
    # Duplicates offered on the report form and at verification (issue 14): open cases of the same
    # category within this distance, registered within these days. A local convenience, not policy.
    duplicate_radius_m: int = Field(100, ge=10, le=1000)
    duplicate_days: int = Field(7, ge=1, le=90)
    # Messages to residents (issue 17, gridgov.notify.outbound).
    sms_channel: str = Field("", pattern=r"^([a-z][a-z0-9_]{0,15})?$")
    """GRIDGOV_SMS_CHANNEL: the registered channel that sends SMS (see gridgov.notify.outbound). Empty:
    the development sink ``dev`` in demo mode, none otherwise (messages are stored and marked 未发送)."""
    sms_url: str = Field("", pattern=r"^(https?://\S+)?$")
    """GRIDGOV_SMS_URL: the SMS relay the ``http`` channel posts each message to (gridgov.notify.sms_http)."""
    sms_token: str = ""
    """GRIDGOV_SMS_TOKEN: sent to the relay as ``Authorization: Bearer`` (optional)."""
    sms_max_attempts: int = Field(5, ge=1, le=20)
    """GRIDGOV_SMS_MAX_ATTEMPTS: attempts before a message the channel keeps refusing is marked failed."""
    sms_keep_days: int = Field(180, ge=1, le=3650)
    """GRIDGOV_SMS_KEEP_DAYS: messages no longer pending are deleted this many days after they were
    written (they hold a phone number; 《个人信息保护法》第十九条: no longer than the purpose needs)."""
    # The optional public map of resident reports (issue 17, gridgov.public.map_service): off unless
    # the deployment turns it on, after its own privacy review; no regulation asks for it.
    public_map: bool = False
    public_map_cell_m: int = Field(500, ge=200, le=5000)
    """GRIDGOV_PUBLIC_MAP_CELL_M: points are snapped to the centre of a square cell this wide (metres)."""
    public_map_closed_days: int = Field(30, ge=1, le=365)
    """GRIDGOV_PUBLIC_MAP_CLOSED_DAYS: closed reports stay on the map this many days after closing."""
    # Webhooks (issue 17, gridgov.interop.webhooks): which addresses a subscription may post to and
    # how often the worker of ``gridgov serve`` delivers. ``private`` (default): public addresses and
    # the private ranges government intranets use; ``public``: public addresses only; ``any``: also
    # loopback and link-local (one-machine set-ups and tests).
    webhook_targets: Literal["public", "private", "any"] = "private"
    webhook_interval_seconds: int = Field(5, ge=0, le=3600)
    """GRIDGOV_WEBHOOK_INTERVAL_SECONDS: the delivery worker's pause between rounds (0: no worker;
    the ``webhooks`` job still runs with the other jobs)."""
    # issue 19 (replica)
    database_replica_url: str = ""
    """GRIDGOV_DATABASE_REPLICA_URL: a PostgreSQL streaming replica of the database (empty: none). The
    read-only heavy pages and API (statistics, dashboards, exports, public pages: the routes taking
    ``deps.ReplicaSessionDep``) read there; everything else, and every write, stays on the primary.
    What it shows may lag the primary by the replica's replay delay (normally well under a second)."""

    # issue 19 (deploy)
    forwarded_allow_ips: str = "127.0.0.1,::1"
    """GRIDGOV_FORWARDED_ALLOW_IPS: the proxies whose X-Forwarded-For/-Proto ``gridgov serve`` believes,
    comma-separated addresses or networks (``10.0.0.0/8``), ``*`` for any peer, empty for none. Behind
    them the request's scheme (Secure cookies, https links) and client address (login limits, audit)
    are the ones the proxy saw. Default: a proxy on the same machine (deploy/nginx/gridgov.conf)."""

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"GRIDGOV_FORWARDED_ALLOW_IPS 中的 {item!r} 不是 IP 地址或网段") from None
        return ",".join(items)

    # issue 19 (obs): logs and /metrics (gridgov.observability)
    log_format: Literal["text", "json"] = "text"
    """GRIDGOV_LOG_FORMAT: ``text`` (a terminal, ``make run``) or ``json`` (one JSON object per line;
    recommended in production)."""
    metrics_allow: str = "127.0.0.1/32,::1/128"
    """GRIDGOV_METRICS_ALLOW: the networks (CIDRs, comma-separated; empty: none) whose direct requests may
    read /metrics."""
    metrics_token: str = ""
    """GRIDGOV_METRICS_TOKEN: a scraper sending ``Authorization: Bearer <token>`` may read /metrics from
    anywhere (empty: no token)."""

    # issue 19 (procs): several processes
    job_lease_seconds: int = Field(600, ge=5, le=86400)
    """GRIDGOV_JOB_LEASE_SECONDS: a periodic job's lease (gridgov.leases) lasts this long; a holder that
    died is replaced after it. Longer than the slowest job's run: a run outliving it is rolled back."""

    @property
    def media_path(self) -> Path:
        return self.media_dir or self.var_dir / "media"

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        known = available_profiles()  # the profile folder is the one list of profiles
        if value not in known:
            raise ValueError(f"未知的政策配置 {value!r}，可选：{', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _fill_and_check(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'gridgov.db'}"
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            if not self.demo:
                raise ValueError(
                    "GRIDGOV_SECRET_KEY 未设置或是占位值：非演示模式必须设置一个随机密钥"
                    "（例如 python -c 'import secrets; print(secrets.token_urlsafe(48))'）"
                )
            self.secret_key = _demo_secret(self.var_dir)
        elif len(self.secret_key) < 32:
            raise ValueError("GRIDGOV_SECRET_KEY 太短：至少 32 个字符")
        if self.sms_channel == "http" and not self.sms_url:
            raise ValueError("GRIDGOV_SMS_CHANNEL=http 需要设置 GRIDGOV_SMS_URL（短信网关地址）")
        try:
            [ipaddress.ip_network(part.strip(), strict=False) for part in self.metrics_allow.split(",") if part.strip()]
        except ValueError as exc:
            raise ValueError(f"GRIDGOV_METRICS_ALLOW 不是以逗号分隔的网段（CIDR）：{exc}") from exc
        if self.metrics_token and len(self.metrics_token) < 16:
            raise ValueError("GRIDGOV_METRICS_TOKEN 太短：至少 16 个字符")
        keys = parse_field_keys(self.field_keys)
        if self.field_key_current is not None and self.field_key_current not in {0, *keys}:
            raise ValueError(f"GRIDGOV_FIELD_KEY_CURRENT={self.field_key_current} 不是已配置的密钥编号")
        return self

    @model_validator(mode="after")
    def _replica_check(self) -> Settings:  # issue 19 (replica); after _fill_and_check: database_url is set
        if self.database_replica_url:
            if not self.database_replica_url.startswith("postgresql"):
                raise ValueError("GRIDGOV_DATABASE_REPLICA_URL 必须是 PostgreSQL 地址（postgresql://…）："
                                 "只读副本只支持 PostgreSQL")
            if not self.database_url.startswith("postgresql"):
                raise ValueError("设置了 GRIDGOV_DATABASE_REPLICA_URL，但主库 GRIDGOV_DATABASE_URL 不是 PostgreSQL："
                                 "只读副本只能配合 PostgreSQL 主库使用")
        return self


def _demo_secret(var_dir: Path) -> str:
    """A random key generated on first use in demo mode and reused afterwards. Created atomically
    (written to a temporary file, then hard-linked to its name, which fails if it exists), so that
    several processes starting at once all end up with the one key that won."""
    path = var_dir / "demo-secret.key"
    for _ in range(50):
        if path.exists():
            key = path.read_text().strip()
            if key:
                return key
        var_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=var_dir, prefix=".demo-secret.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # atomic: exactly one process's file gets the name
        finally:
            os.unlink(tmp)
    raise RuntimeError(f"无法读取演示密钥文件 {path}")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
