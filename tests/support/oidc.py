"""A real OpenID Connect provider on loopback (the `oidc-provider-mock` package), for the sign-in tests.

It serves discovery, authorization, token and userinfo endpoints, signs real ID tokens, and offers predefined
users as one-click buttons on its authorization page. Nothing of the app's sign-in path is replaced."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import PROCESS_STOP_TIMEOUT_S, free_port, http_ok, spawn, stop_process, wait_until

OIDC_START_TIMEOUT_S = 60


def oidc_provider_available() -> bool:
    try:
        import oidc_provider_mock  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class OidcProvider:
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"


@contextlib.contextmanager
def start_oidc_provider(users: list[dict]) -> Iterator[OidcProvider]:
    """The provider with ``users`` (claims, each with a "sub") predefined; stopped and cleaned up at exit."""
    base = Path(tempfile.mkdtemp(prefix="oidc-"))
    provider = OidcProvider(port=free_port())
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(provider.port)]
    for user in users:
        command += ["--user-claims", json.dumps(user)]
    log = base / "oidc.log"
    process = spawn(command, log=log)
    try:
        wait_until(
            lambda: http_ok(provider.metadata_url),
            timeout_s=OIDC_START_TIMEOUT_S,
            what=f"OIDC provider on {provider.url}",
            process=process,
            log=log,
        )
        yield provider
    finally:
        stop_process(process, PROCESS_STOP_TIMEOUT_S)
        shutil.rmtree(base, ignore_errors=True)


def write_auth_secrets(path: Path, *, app_port: int, provider: OidcProvider, cookie_secret: str) -> Path:
    """A secrets.toml whose [auth] section signs in through ``provider`` and returns to the app on ``app_port``."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        'client_id = "reliability-dashboard"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path
