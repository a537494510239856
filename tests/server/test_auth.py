"""HTTP Basic auth and the IP allow-list: checked before the body is read, and nothing stored when refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from werkzeug.test import Client

from mm7.errors import ConfigError
from mm7.inbox import Inbox
from mm7.server import AllowList, AuthPolicy, BasicAuth, BearerAuth, ReceiverApp
from mm7.server.auth import parse_networks

from .conftest import dr_request


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def post(app: ReceiverApp, *, remote: str = "127.0.0.1", **headers: str) -> Any:
    request = dr_request()
    return Client(app).post(
        "/", data=request.body, headers={**request.headers, **headers}, environ_base={"REMOTE_ADDR": remote}
    )


def stored_count(inbox: Inbox) -> int:
    return sum(inbox.counts().values())


@pytest.fixture
def app(inbox: Inbox) -> ReceiverApp:
    return ReceiverApp(inbox, auth=AuthPolicy(basic=BasicAuth("sinch", "s3cret")))


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        basic("sinch", "wrong"),
        basic("other", "s3cret"),
        basic("sinch", "s3cret2"),
        "Basic !!!",
        "Bearer x",
    ],
)
def test_wrong_or_missing_credentials_get_401_and_nothing_is_stored(
    app: ReceiverApp, inbox: Inbox, authorization: str | None
) -> None:
    response = post(app, **({"Authorization": authorization} if authorization else {}))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="mm7"')
    assert b"s3cret" not in response.data
    assert stored_count(inbox) == 0


def test_right_credentials_are_accepted(app: ReceiverApp, inbox: Inbox) -> None:
    assert post(app, Authorization=basic("sinch", "s3cret")).status_code == 200
    assert stored_count(inbox) == 1


def test_health_check_needs_no_credentials(app: ReceiverApp) -> None:
    assert Client(app).get("/").status_code == 200


def test_outside_the_allow_list_gets_403_and_nothing_is_stored(inbox: Inbox) -> None:
    app = ReceiverApp(inbox, auth=AuthPolicy(allow=AllowList.from_strings("192.0.2.0/24, 2001:db8::/32")))
    assert post(app, remote="198.51.100.7").status_code == 403
    assert post(app, remote="2001:db9::1").status_code == 403
    assert stored_count(inbox) == 0
    assert post(app, remote="192.0.2.200").status_code == 200
    assert post(app, remote="::ffff:192.0.2.9").status_code == 200  # IPv4 client on a dual-stack socket
    assert post(app, remote="2001:db8::5").status_code == 200
    assert stored_count(inbox) == 1  # the same report: stored once


def test_forwarded_for_is_ignored_unless_enabled_and_from_a_trusted_proxy(inbox: Inbox) -> None:
    allow = "192.0.2.0/24"
    plain = ReceiverApp(inbox, auth=AuthPolicy(allow=AllowList.from_strings(allow)))
    # Anybody can write the header: without proxy trust it changes nothing.
    assert post(plain, remote="198.51.100.7", **{"X-Forwarded-For": "192.0.2.1"}).status_code == 403

    proxied = ReceiverApp(
        inbox,
        auth=AuthPolicy(
            allow=AllowList.from_strings(allow, trusted_proxies="10.0.0.0/8", trust_forwarded_for=True)
        ),
    )
    # Through the trusted proxy: the client is the rightmost untrusted hop.
    assert post(proxied, remote="10.1.1.1", **{"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert post(proxied, remote="10.1.1.1", **{"X-Forwarded-For": "198.51.100.7"}).status_code == 403
    # A client prepending an allowed address does not get through: the proxy appended the real one.
    assert (
        post(proxied, remote="10.1.1.1", **{"X-Forwarded-For": "192.0.2.1, 198.51.100.7"}).status_code == 403
    )
    # Two trusted proxies in a row are skipped.
    assert post(proxied, remote="10.1.1.1", **{"X-Forwarded-For": "192.0.2.1, 10.2.2.2"}).status_code == 200
    # Not from the trusted proxy: the header is ignored.
    assert post(proxied, remote="198.51.100.9", **{"X-Forwarded-For": "192.0.2.1"}).status_code == 403
    assert post(proxied, remote="10.1.1.1", **{"X-Forwarded-For": "garbage"}).status_code == 403
    assert stored_count(inbox) == 1


def test_allow_list_is_checked_before_credentials(inbox: Inbox) -> None:
    policy = AuthPolicy(basic=BasicAuth("u", "p"), allow=AllowList.from_strings("192.0.2.0/24"))
    app = ReceiverApp(inbox, auth=policy)
    assert post(app, remote="198.51.100.7", Authorization=basic("u", "p")).status_code == 403
    assert post(app, remote="192.0.2.1").status_code == 401
    assert post(app, remote="192.0.2.1", Authorization=basic("u", "p")).status_code == 200


def test_non_ascii_password_compares_as_utf8() -> None:
    auth = BasicAuth("user", "pässwörd")
    token = "Basic " + base64.b64encode("user:pässwörd".encode()).decode()
    assert auth.check({"HTTP_AUTHORIZATION": token}) is None
    assert auth.check({"HTTP_AUTHORIZATION": basic("user", "passwort")}) is not None


@pytest.mark.parametrize(
    "build",
    [
        lambda: BasicAuth("", "p"),
        lambda: BasicAuth("a:b", "p"),
        lambda: BasicAuth("u", ""),
        lambda: AllowList(()),
        lambda: AllowList.from_strings("10.0.0.0/8", trust_forwarded_for=True),
        lambda: parse_networks("10.0.0.300/8"),
    ],
)
def test_invalid_settings_are_config_errors(build: Any) -> None:
    with pytest.raises(ConfigError):
        build()


def test_repr_never_shows_the_password() -> None:
    assert "s3cret" not in repr(BasicAuth("u", "s3cret"))


# ------------------------------------------------------------------------------------------ bearer


def test_bearer_tokens_are_accepted_and_wrong_ones_get_401(inbox: Inbox) -> None:
    app = ReceiverApp(inbox, auth=AuthPolicy(bearer=BearerAuth(("old-token", "new-token"))))
    for token in ("old-token", "new-token"):
        assert post(app, Authorization=f"Bearer {token}").status_code == 200
    for authorization in ("Bearer wrong", "Bearer new-token-2", "Bearer ", basic("a", "b"), "new-token"):
        response = post(app, Authorization=authorization)
        assert response.status_code == 401
        assert response.headers.get_all("WWW-Authenticate") == ['Bearer realm="mm7"']
        assert b"token" not in response.data
    assert stored_count(inbox) == 1  # the same report twice: stored once


def test_with_basic_and_bearer_either_is_accepted_and_a_401_offers_both(inbox: Inbox) -> None:
    policy = AuthPolicy(basic=BasicAuth("sinch", "s3cret"), bearer=BearerAuth(("tok",)))
    app = ReceiverApp(inbox, auth=policy)
    assert post(app, Authorization=basic("sinch", "s3cret")).status_code == 200
    assert post(app, Authorization="Bearer tok").status_code == 200
    response = post(app)
    assert response.status_code == 401
    assert response.headers.get_all("WWW-Authenticate") == [
        'Basic realm="mm7", charset="UTF-8"',
        'Bearer realm="mm7"',
    ]


def test_bearer_settings_are_checked_and_never_shown() -> None:
    for tokens in ((), ("",), ("two words",)):
        with pytest.raises(ConfigError):
            BearerAuth(tokens)
    assert "s3cret-token" not in repr(BearerAuth(("s3cret-token",)))
    assert "s3cret-token" not in repr(AuthPolicy(bearer=BearerAuth(("s3cret-token",))))
