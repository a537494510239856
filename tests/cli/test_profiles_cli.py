"""``mm7 profiles`` and ``mm7 send --profile``, run as real processes (and a real ``mm7 simulate``)."""

from __future__ import annotations

import json
import re
import signal
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from mm7.profiles import load, shipped_names
from tests.cli.test_command_defaults import Running, run, stopped_cleanly

SEND = ["send", "--to", "15551234567", "--text", "Hi", "--vasp-id", "KEY", "--short-code", "12345"]


def test_profiles_lists_every_shipped_profile(tmp_path: Path) -> None:
    listed = run("profiles", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split(None, 3) for line in listed.stdout.splitlines()]
    assert [row[0] for row in rows] == shipped_names()
    for name, version, auth, description in rows:
        profile = load(name)
        assert (version, auth, description) == (
            profile.mm7_version,
            profile.auth or "unknown",
            profile.description,
        )
    assert run("profiles", "list", cwd=tmp_path).stdout == listed.stdout
    as_json = run("profiles", "--json", cwd=tmp_path)
    assert as_json.returncode == 0
    objects = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [o["name"] for o in objects] == shipped_names()
    assert {"name": "telnyx", "mm7_version": "6.8.0", "auth": "bearer"}.items() <= objects[6].items()
    assert run("profiles", "list", "--json", cwd=tmp_path).stdout == as_json.stdout


@pytest.mark.parametrize("name", ["sinch", "vibes", "3gpp-rel5"])
def test_show_prints_the_profile_as_toml_and_json(tmp_path: Path, name: str) -> None:
    shown = run("profiles", "show", name, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == load(name).to_toml()
    copy = tmp_path / f"{name}-copy.toml"
    copy.write_text(shown.stdout, encoding="utf-8")
    again = run("profiles", "show", str(copy), cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == shown.stdout  # a file reads back as the same profile
    as_json = json.loads(run("profiles", "show", name, "--format", "json", cwd=tmp_path).stdout)
    toml = tomllib.loads(shown.stdout)
    codes = toml.pop("status_codes", {})
    assert {k: v for k, v in as_json.items() if k != "status_codes"} == toml
    assert set(as_json.get("status_codes", {})) == set(codes)


def test_show_checks_a_file_and_exits_2_naming_key_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "acme.toml"
    bad.write_text('name = "acme"\nauth = "bearer"\n\n[status_codes.2501]\nmeaning = "x"\nretry = true\n')
    result = run("profiles", "show", "acme.toml", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert (
        result.stderr
        == "mm7: acme.toml:6: key 'status_codes.2501.retry': unknown key (known: name, meaning, "
        "retryable, backoff, bounded, outcome)\n"
    )
    bad.write_text('name = "acme"\nauth = "bearer"\nusername = "me"\n')
    result = run("profiles", "show", "acme.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.startswith("mm7: acme.toml:3: key 'username': ")
        and len(result.stderr.splitlines()) == 1
    )
    missing = run("profiles", "show", "no-such-carrier", cwd=tmp_path)
    assert missing.returncode == 2 and "no shipped profile 'no-such-carrier'" in missing.stderr


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[Running, str]]:
    process = Running("simulate", cwd=tmp_path)
    try:
        yield process, process.wait_line(r"listening on (http://127\.0\.0\.1:\d+/\S*)").group(1)
    finally:
        process.kill()


def test_send_with_shipped_and_user_profiles(tmp_path: Path, simulator: tuple[Running, str]) -> None:
    process, url = simulator
    for name in ("3gpp-rel6", "3gpp-rel5", "skycore", "sinch"):
        result = run(*SEND, "--profile", name, "--endpoint", url, cwd=tmp_path)
        assert result.returncode == 0, (name, result.stderr)
        assert re.match(r"15551234567\taccepted\tMessageID \d+$", result.stdout.strip()), result.stdout
    # Bearer: the password (from the environment, never argv) is the token.
    telnyx = run(*SEND, "--profile", "telnyx", "--endpoint", url, cwd=tmp_path, MM7_PASSWORD="token")
    assert telnyx.returncode == 0, telnyx.stderr
    # A user's file: its endpoint is used when none is given; rules = "sinch" brings Sinch's rules.
    mine = tmp_path / "mine.toml"
    mine.write_text(f'name = "mine"\nrules = "sinch"\nendpoint = "{url}"\n')
    result = run(*SEND, "--profile", "mine.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stopped_cleanly(process, signal.SIGTERM)


def test_send_refuses_what_a_profile_cannot_do(tmp_path: Path) -> None:
    no_endpoint = run(*SEND, "--profile", "vibes", cwd=tmp_path)
    assert no_endpoint.returncode == 2
    assert (
        no_endpoint.stderr
        == "mm7: no endpoint: the vibes profile has none; give --endpoint or MM7_ENDPOINT\n"
    )
    wrong_version = run(
        *SEND, "--profile", "3gpp-rel6", "--mm7-version", "5.3.0", "--endpoint", "http://x/", cwd=tmp_path
    )
    assert wrong_version.returncode == 2 and "key" not in wrong_version.stderr
    assert "namespace" in wrong_version.stderr and "5.3.0" in wrong_version.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nmax_message_size = "big"\n')
    result = run(*SEND, "--profile", "bad.toml", "--endpoint", "http://x/", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("mm7: bad.toml:2: key 'max_message_size': ")


def test_send_speaks_the_profile_auth_scheme(tmp_path: Path) -> None:
    """What ``mm7 send`` puts in ``Authorization`` follows the profile: Bearer for telnyx, else Basic."""
    from tests.profiles.sinch_wire import capture

    def head_of(*args: str, **environment: str) -> str:
        def send(endpoint: str) -> None:
            result = run(*SEND, *args, "--endpoint", endpoint, cwd=tmp_path, **environment)
            assert result.returncode == 0, result.stderr

        return capture(send).split(b"\r\n\r\n", 1)[0].decode()

    bearer = head_of("--profile", "telnyx", MM7_PASSWORD="token-1")
    assert "\r\nAuthorization: Bearer token-1\r\n" in bearer
    basic = head_of("--profile", "skycore", MM7_USER="u", MM7_PASSWORD="p")
    assert "\r\nAuthorization: Basic dTpw\r\n" in basic  # base64("u:p")
    mine = tmp_path / "mine.toml"
    mine.write_text('name = "mine"\nauth = "basic"\nusername = "vasp"\ncarrier_id_header = "X-Op"\n')
    from_file = head_of("--profile", "mine.toml", MM7_PASSWORD="p")
    assert "\r\nAuthorization: Basic dmFzcDpw\r\n" in from_file  # the file's username
