"""Carrier profiles as data: the shipped TOML files, user files, their errors, and Sinch's unchanged bytes."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import mm7
from mm7.client import BearerAuth, MM7Client
from mm7.codec.mime import Part
from mm7.codec.status import SINCH, THREEGPP
from mm7.errors import ConfigError
from mm7.profiles import Profile, load, shipped_names
from mm7.profiles.base import InvalidProfileError
from mm7.profiles.files import KEYS, ProfileFileError, key_lines, read_text
from mm7.profiles.sinch import SinchProfile
from tests.profiles.sinch_wire import CASES, FIXTURES, TRANSACTION_ID, capture, send_with_for_sinch

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["3gpp-rel5", "3gpp-rel6", "nowsms", "openmarket", "sinch", "skycore", "telnyx", "vibes"]


# ------------------------------------------------------------------------------------------ shipped


def test_the_shipped_profiles() -> None:
    assert shipped_names() == SHIPPED
    assert mm7.Profile is Profile


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_loads_and_round_trips(name: str, tmp_path: Path) -> None:
    profile = load(name)
    assert profile.name == name and profile.description
    text = profile.to_toml()
    assert read_text(text) == profile
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    again = Profile.from_toml(path)
    assert again == profile and type(again) is type(profile)
    assert again.to_toml() == text


def test_a_vendor_code_may_fix_its_outcome(tmp_path: Path) -> None:
    text = GOOD_HEAD + '[status_codes.3501]\nmeaning = "Number ported; resend"\noutcome = "fix_request"\n'
    profile = Profile.from_toml(write(tmp_path, text))
    assert profile.status_table.lookup(3501).outcome == "fix_request"  # a 3xxx would otherwise be give_up
    assert read_text(profile.to_toml()) == profile
    assert 'outcome = "fix_request"' in profile.to_toml()


def test_round_trip_keeps_an_empty_list_apart_from_an_unknown_one() -> None:
    rel5 = load("3gpp-rel5")
    assert rel5.required_ids == () and load("telnyx").required_ids is None
    assert "required_ids = []" in rel5.to_toml()
    assert "required_ids" not in load("telnyx").to_toml()


def test_sinch_profile_is_the_data_file_with_sinch_rules() -> None:
    sinch = load("sinch")
    assert type(sinch) is SinchProfile
    assert sinch.status_table == SINCH  # every code and retry flag of the table Sinch's rules used before
    assert sinch == SinchProfile()  # the class's defaults are the file's values
    assert sinch.http_headers() == {}
    with_carrier = dataclasses.replace(sinch, carrier_id="0001890")
    assert with_carrier.http_headers() == {"X-Mblox-Carrier-Id": "0001890"}


def test_shipped_facts_spot_checks() -> None:
    vibes, telnyx, rel6 = load("vibes"), load("telnyx"), load("3gpp-rel6")
    assert vibes.status_table[4005].retryable and vibes.status_table[4005].retry_after_backoff
    assert not vibes.status_table[4001].retryable
    assert vibes.status_table.lookup(2002).description == "The recipient address is not valid."
    assert vibes.status_table[1000] == THREEGPP[1000]  # the 3GPP table underneath
    assert vibes.blank_200_ack is True and vibes.soap_action == "absent"
    assert telnyx.auth == "bearer" and telnyx.endpoint == "https://api.telnyx.com/v2/messaging/mm7/submit"
    assert telnyx.number_format is None and telnyx.max_message_size is None  # undocumented: unknown
    assert rel6.status_table == THREEGPP and rel6.blank_200_ack is False


def test_shipped_files_are_in_the_wheel(tmp_path: Path) -> None:
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*pip_wheel, "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = tmp_path.glob("mm7-*.whl")
    with zipfile.ZipFile(built) as wheel:
        for name in SHIPPED:
            data = tomllib.loads(wheel.read(f"mm7/profiles/data/{name}.toml").decode())
            assert data["name"] == name


# ------------------------------------------------------------------------------------------ errors


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "carrier.toml"
    path.write_text(text, encoding="utf-8")
    return path


def file_error(path: Path) -> ProfileFileError:
    with pytest.raises(ProfileFileError) as info:
        Profile.from_toml(path)
    return info.value


GOOD_HEAD = 'name = "acme"\ndescription = "ACME relay"\n'


@pytest.mark.parametrize(
    ("body", "key", "line", "words"),
    [
        # unknown keys: top level, dotted, in a status code's table
        ('auth = "basic"\nsoap_acton = "empty"\n', "soap_acton", 4, "unknown key"),
        ("limits.size = 3\n", "limits", 3, "unknown key"),
        ('\n[status_codes.2501]\nmeaning = "x"\nretry = true\n', "status_codes.2501.retry", 6, "unknown key"),
        # wrong types
        ('max_message_size = "1 MB"\n', "max_message_size", 3, "must be an integer, not a string"),
        ("recipients_per_request = true\n", "recipients_per_request", 3, "must be an integer, not a boolean"),
        ('blank_200_ack = "yes"\n', "blank_200_ack", 3, "must be true or false"),
        ('media_types = "image/jpeg"\n', "media_types", 3, "must be an array of strings"),
        ('auth = "ntlm"\n', "auth", 3, "'ntlm' is not one of none, basic, digest, bearer"),
        ('required_ids = ["VASPID", "Password"]\n', "required_ids", 3, "'Password' is not one of"),
        (
            '\n[status_codes."2501"]\nmeaning = "x"\nretryable = "no"\n',
            "status_codes.2501.retryable",
            6,
            "true or",
        ),
        ('\n[status_codes.5001]\nmeaning = "x"\n', "status_codes.5001", 4, "1000 to 4999"),
        (
            '\n[status_codes.2501]\nmeaning = "x"\noutcome = "later"\n',
            "status_codes.2501.outcome",
            6,
            "'later' is not one of",
        ),
        ('\n[status_codes.2501]\nname = "no meaning"\n', "status_codes.2501", 4, "missing key 'meaning'"),
        # impossible combinations
        ('auth = "bearer"\nusername = "vasp"\n', "username", 4, "basic or digest"),
        ('mm7_version = "5.3.0"\nnamespace = "REL-6-MM7-1-4"\n', "namespace", 4, "does not belong to"),
        ('mm7_version = "5.3.0"\nmm7_versions = ["6.8.0"]\n', "mm7_version", 3, "not in mm7_versions"),
        ('number_format = "national"\n', "number_format", 3, "default_region"),
        ("recipients_per_request = 0\n", "recipients_per_request", 3, "at least 1"),
        ('dr_statuses = ["Retrieved", "Delivered"]\n', "dr_statuses", 3, "'Delivered' is not an MMStatus"),
        ('rules = "sinch"\nmm7_version = "6.3.0"\n', "mm7_version", 4, "2505"),
    ],
)
def test_errors_name_the_key_and_its_line(tmp_path: Path, body: str, key: str, line: int, words: str) -> None:
    path = write(tmp_path, GOOD_HEAD + body)
    error = file_error(path)
    assert (error.key, error.line) == (key, line)
    assert str(error).startswith(f"{path}:{line}: key {key!r}: ")
    assert words in str(error)


def test_a_missing_name_and_a_file_that_is_not_toml(tmp_path: Path) -> None:
    error = file_error(write(tmp_path, 'auth = "basic"\n'))
    assert error.key == "name" and error.line is None and "missing" in str(error)
    with pytest.raises(ConfigError, match=r"not TOML: .*line 2"):
        Profile.from_toml(write(tmp_path, 'name = "x"\nauth = basic\n'))
    with pytest.raises(ConfigError, match="cannot read profile"):
        Profile.from_toml(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="no shipped profile 'nope'"):
        load("nope")


def test_combinations_are_refused_in_python_too() -> None:
    with pytest.raises(InvalidProfileError) as info:
        Profile(name="x", auth="bearer", username="u")
    assert info.value.key == "username"
    with pytest.raises(InvalidProfileError, match="carrier_id_header"):
        Profile(name="x", carrier_id="0001470")


def test_key_lines_reads_tables_dotted_quoted_and_multiline_values() -> None:
    text = "\n".join(
        [
            'name = "x"  # a comment = not a key',
            "media_types = [",
            '    "image/jpeg",',
            '    "fake = 1",',
            "]",
            'description = """',
            "inside = 1",
            '"""',
            'a."b.c" . d = 1',
            "[status_codes]",
            "2000 = { meaning = 'inline' }",
            "[ status_codes . '2501' ]",
            "meaning = 'x'",
            "[[arr]]",
            "k = 2",
        ]
    )
    tomllib.loads(text)  # valid TOML
    lines = key_lines(text)
    assert lines[("name",)] == 1
    assert lines[("media_types",)] == 2
    assert lines[("description",)] == 6
    assert ("fake",) not in lines and ("inside",) not in lines and ("    ",) not in lines
    assert lines[("a",)] == lines[("a", "b.c")] == lines[("a", "b.c", "d")] == 9
    assert lines[("status_codes",)] == 10
    assert lines[("status_codes", "2000")] == 11
    assert lines[("status_codes", "2501")] == 12 and lines[("status_codes", "2501", "meaning")] == 13
    assert lines[("arr", "k")] == 15


def test_every_key_is_documented() -> None:
    carriers = (ROOT / "docs" / "carriers.md").read_text(encoding="utf-8")
    for key in KEYS:
        assert f"`{key}`" in carriers, key
    for name in SHIPPED:
        assert f"### `{name}`" in carriers or f"`{name}`" in carriers.split("### `3gpp-rel5` and ")[1], name


def test_the_documented_user_profile_loads_and_errors_read_as_documented(tmp_path: Path) -> None:
    carriers = (ROOT / "docs" / "carriers.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", carriers, re.S)
    assert block is not None
    path = tmp_path / "acme.toml"
    path.write_text(block.group(1), encoding="utf-8")
    acme = Profile.from_toml(path)
    assert (acme.name, acme.namespace, acme.soap_action, acme.username) == (
        "acme",
        "REL-5-MM7-1-2",
        "empty",
        "my-vasp",
    )
    assert acme.status_table.lookup(3510).retry_after_backoff
    assert acme.status_table.lookup(3510).outcome == "retry_later"
    lines = block.group(1).splitlines()
    lines[lines.index('auth = "basic"')] = 'auth = "bearer"'
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ProfileFileError) as info:
        Profile.from_toml(path)
    assert f"{path}:8: key 'username': a user name needs basic or digest auth, not bearer" == str(info.value)
    assert "acme.toml:8: key 'username': a user name needs basic or digest auth, not bearer" in carriers


# ------------------------------------------------------------------------------------------ wire


@pytest.mark.parametrize(("name", "version", "carrier_id", "auth"), CASES)
def test_sinch_bytes_on_the_wire_are_unchanged(
    name: str, version: str, carrier_id: str | None, auth: tuple[str, str] | None
) -> None:
    """A send through the data-driven sinch profile puts on the wire exactly what the code did before.

    The fixtures were captured from ``MM7Client.for_sinch`` before the profile became a data file.
    """
    expected = (FIXTURES / f"{name}.http").read_bytes()
    assert send_with_for_sinch(version, carrier_id, auth) == expected

    profile = dataclasses.replace(
        load("sinch"),
        api_key="API-KEY",
        vas_id="12345mms",
        short_code="12345",
        mm7_version=version,
        carrier_id=carrier_id,
    )

    def send(endpoint: str) -> None:
        with MM7Client(endpoint, profile=profile, auth=auth) as client:
            request = client.sinch.submit_request("+1 (555) 319-9144", subject="Hello")
            parts = [
                Part.from_text("Hello from mm7"),
                Part.from_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
            ]
            client.submit(request, content=parts, transaction_id=TRANSACTION_ID)

    assert capture(send) == expected


def test_a_user_profile_drives_the_carrier_header(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_HEAD + 'carrier_id_header = "X-Acme-Carrier"\nauth = "bearer"\n')
    profile = dataclasses.replace(Profile.from_toml(path), carrier_id="310-410", vasp_id="V")

    def send(endpoint: str) -> None:
        with MM7Client(endpoint, profile=profile, auth=BearerAuth("token-1")) as client:
            client.submit(
                mm7.submit_request(to="15551234567", sender="12345", subject="Hi"),
                content=[Part.from_text("Hi")],
                transaction_id="tx-user",
            )

    head = capture(send).split(b"\r\n\r\n", 1)[0].decode()
    assert "\r\nX-Acme-Carrier: 310-410\r\n" in head
    assert "\r\nAuthorization: Bearer token-1\r\n" in head
