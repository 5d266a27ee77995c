"""Typed readers for FRONTLINE_* environment variables that fail loudly on bad values."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no."
    )


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, *, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}.")
    return value


def env_url(name: str, *, schemes: tuple[str, ...], default: str = "") -> str:
    value = env_str(name, default)
    if value and value.split("://", 1)[0] not in schemes:
        raise ImproperlyConfigured(
            f"{name} must start with one of {', '.join(s + '://' for s in schemes)}; got {value!r}."
        )
    return value


def secret_key(*, production: bool, data_dir: Path) -> str:
    """The configured key; outside production a key generated once and kept in the data folder."""
    configured = env_str("FRONTLINE_SECRET_KEY")
    if configured:
        if production and len(configured) < 50:
            raise ImproperlyConfigured("FRONTLINE_SECRET_KEY must be at least 50 characters long.")
        return configured
    if production:
        raise ImproperlyConfigured(
            "FRONTLINE_SECRET_KEY is required when FRONTLINE_ENV=production."
        )
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
