import pytest
from django.core.exceptions import ImproperlyConfigured

from frontline.env import env_bool, env_choice, env_url, secret_key


def test_a_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("FRONTLINE_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FRONTLINE_DEBUG"):
        env_bool("FRONTLINE_DEBUG", default=False)


def test_an_unknown_environment_fails_loudly(monkeypatch):
    monkeypatch.setenv("FRONTLINE_ENV", "staging")
    with pytest.raises(ImproperlyConfigured, match="FRONTLINE_ENV"):
        env_choice(
            "FRONTLINE_ENV", choices=("development", "production", "test"), default="development"
        )


def test_a_database_url_with_an_unknown_scheme_fails_loudly(monkeypatch):
    monkeypatch.setenv("FRONTLINE_DATABASE_URL", "mysql://localhost/x")
    with pytest.raises(ImproperlyConfigured, match="FRONTLINE_DATABASE_URL"):
        env_url("FRONTLINE_DATABASE_URL", schemes=("sqlite", "postgres"))


def test_production_requires_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("FRONTLINE_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="FRONTLINE_SECRET_KEY"):
        secret_key(production=True, data_dir=tmp_path)


def test_development_generates_a_key_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("FRONTLINE_SECRET_KEY", raising=False)
    first = secret_key(production=False, data_dir=tmp_path)
    assert len(first) >= 50
    assert secret_key(production=False, data_dir=tmp_path) == first
