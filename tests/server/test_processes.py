"""The receiver in real server processes on 127.0.0.1 (waitress and gunicorn), on SQLite and PostgreSQL."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from mm7.inbox import Inbox, NotificationKind

from .conftest import DEADLINE, MO_IMAGE, ServerProcess, dr_request, mo_request, transaction_id_and_status
from .conftest import Request as MM7Request

StartServer = Callable[..., ServerProcess]


def test_sinch_examples_over_http(start_server: StartServer, inbox_url: str, inbox: Inbox) -> None:
    server = start_server(inbox_url)
    dr = server.post(dr_request())
    assert dr.status_code == 200
    assert dr.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert transaction_id_and_status(dr.content) == ("dr-tx-0001", "1000")
    mo = server.post(mo_request())
    assert mo.status_code == 200
    assert transaction_id_and_status(mo.content) == ("mo-tx-0001", "1000")
    stored = {n.kind: n for n in inbox.list()}
    assert set(stored) == {NotificationKind.DELIVERY_REPORT, NotificationKind.DELIVER}
    assert stored[NotificationKind.DELIVERY_REPORT].headers["X-Mblox-Carrier-Id"] == "0001890"
    assert MO_IMAGE in stored[NotificationKind.DELIVER].attachments[0].data


def test_six_concurrent_copies_are_stored_once_and_all_acknowledged(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url)
    barrier = threading.Barrier(6)

    def post(_: int) -> requests.Response:
        barrier.wait()
        return server.post(dr_request())

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(post, range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    assert {transaction_id_and_status(r.content) for r in responses} == {("dr-tx-0001", "1000")}
    [stored] = inbox.list()
    assert stored.times_received == 6


def test_gunicorn_workers_share_one_inbox(start_server: StartServer, inbox_url: str, inbox: Inbox) -> None:
    # Several processes receive the MMSC's traffic, duplicates included, racing on the same database.
    server = start_server(inbox_url, gunicorn_workers=3)
    ids = [f"gu-{n}" for n in range(20)]

    def post(message_id: str) -> tuple[str, int, str | None]:
        response = server.post(dr_request(message_id, transaction_id=f"tx-{message_id}"))
        return message_id, response.status_code, transaction_id_and_status(response.content)[0]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, ids * 3))
    assert all(status == 200 and tid == f"tx-{mid}" for mid, status, tid in results)
    stored = inbox.list(limit=1000)
    assert Counter(n.message_id for n in stored) == Counter(ids)
    assert {n.times_received for n in stored} == {3}


def _raw_exchange(url: str, head: bytes, body_part: bytes) -> bytes:
    """Send request headers and part of a body, then read whatever the server answers (deadline-bound)."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=DEADLINE) as sock:
        sock.sendall(head + body_part)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_oversize_body_is_refused_on_its_declared_length(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url, MM7_MAX_BODY_SIZE="100000")
    head = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 50000000\r\n\r\n"
    # Only 1 KiB of the announced 50 MB is ever sent: the answer must come without the rest.
    answer = _raw_exchange(server.url, head, b"<" + b"x" * 1023)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sum(inbox.counts().values()) == 0
    assert server.post(dr_request()).status_code == 200  # the server is still fine


def test_auth_and_allow_list_in_a_server_process(
    start_server: StartServer, inbox_url: str, inbox: Inbox, tmp_path: object
) -> None:
    server = start_server(inbox_url, MM7_BASIC_USER="sinch", MM7_BASIC_PASSWORD="s3cret")
    request = dr_request()
    assert server.post(request, auth=("sinch", "wrong")).status_code == 401
    assert server.post(request).status_code == 401
    assert sum(inbox.counts().values()) == 0
    assert server.post(request, auth=("sinch", "s3cret")).status_code == 200

    walled = start_server(inbox_url, MM7_ALLOW="192.0.2.0/24")
    assert walled.post(dr_request("other")).status_code == 403
    assert [n.message_id for n in inbox.list()] == ["369500617770864640"]


def test_bad_input_over_http_gets_a_fault_without_traceback(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url)
    body = mo_request().body
    truncated = MM7Request(body[: body.rindex(b"Content-Type") + 8], mo_request().headers)  # inside headers
    response = server.post(truncated)
    assert response.status_code == 500
    assert transaction_id_and_status(response.content)[1] == "2007"
    assert b"Traceback" not in response.content
    assert sum(inbox.counts().values()) == 0
