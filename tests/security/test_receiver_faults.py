"""Hostile requests and infrastructure faults against a real receiver (waitress in a subprocess, 127.0.0.1).

* Every hostile body from the codec tests, POSTed over HTTP: a SOAP Fault with the right MM7 status and an
  HTTP 4xx/5xx, no traceback text, a log line on the server's stderr, and nothing stored.
* Disk full: the SQLite inbox lives on a 320 KiB tmpfs mounted for the test (``mount -t tmpfs``, which works
  as root, as CI runs); a message that does not fit gets a non-200 (the MMSC retries) and nothing is
  half-stored; once space is freed the same message is stored.
* PostgreSQL restarted (``pg_ctl restart`` on our own throw-away cluster from ``scripts/pg-server``) during a
  burst of posts: every notification that got a 200 is in the inbox exactly once.
* Slowloris: connections that send headers and a few body bytes then stall neither block other requests nor
  live past the channel timeout.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from mm7.errors import RemoteValidationError
from mm7.inbox import open_inbox
from tests.security import ROOT, envelope, fifo_sentinel, multipart, part, silent_listener
from tests.security.test_mime_attacks import CASES as MIME_CASES
from tests.security.test_mime_attacks import deliver_envelope
from tests.security.test_xml_attacks import EXTERNAL, WRAPPERS, _external_doctypes, with_doctype
from tests.security.test_xml_attacks import REFUSED as XML_CASES

DEADLINE = 30.0
PG_SERVER = ROOT / "scripts" / "pg-server"

# The server process: the real app from make_app, on waitress. Timeouts are given explicitly so that the
# slowloris test can see a stalled connection dropped within seconds (waitress checks every cleanup_interval).
LAUNCHER = """
import logging, sys
import waitress.server
from mm7.server import make_app
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
app = make_app(sys.argv[1])
server = waitress.server.create_server(
    app, host="127.0.0.1", port=0, threads=int(sys.argv[2]), channel_timeout=int(sys.argv[3]),
    cleanup_interval=1, max_request_body_size=app.max_body_size, ident="mm7",
)
print(f"listening on http://127.0.0.1:{server.effective_port}/", flush=True)
server.run()
"""


class Receiver:
    """A receiver subprocess; its stderr (the log) goes to a file."""

    def __init__(
        self, inbox_url: str, log_path: Path, *, threads: int = 4, channel_timeout: int = 30
    ) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, inbox_url, str(threads), str(channel_timeout)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()  # the launcher prints it first, or dies
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.stop()
            pytest.fail(f"receiver did not start: {line!r}\n{self.log()}")
        self.url = match.group(1)
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))

    def post(self, body: bytes, content_type: str | None, timeout: float = 20) -> requests.Response:
        headers = {"Content-Type": content_type} if content_type is not None else {}
        return requests.post(self.url + "mm7", data=body, headers=headers, timeout=timeout)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()


@contextlib.contextmanager
def receiver(inbox_url: str, tmp_path: Path, **kwargs: int) -> Iterator[Receiver]:
    server = Receiver(inbox_url, tmp_path / f"receiver-{time.monotonic_ns()}.log", **kwargs)
    try:
        yield server
    finally:
        server.stop()


def wait_until(predicate: Callable[[], bool], what: str, deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def stored(inbox_url: str) -> int:
    inbox = open_inbox(inbox_url)
    try:
        return sum(inbox.counts().values())
    finally:
        inbox.close()


def fault_status(body: bytes) -> str | None:
    """The MM7 StatusCode in an answer, read with a regex (not with our codec)."""
    found = re.search(rb"<(?:\w+:)?StatusCode>([^<]*)<", body)
    return found.group(1).decode() if found else None


def dr(message_id: str, transaction_id: str) -> tuple[bytes, str]:
    """A valid delivery report (bare text/xml) with its own MessageID and TransactionID."""
    xml = (
        envelope()
        .replace(b"369500617770864640", message_id.encode())
        .replace(b"dr-tx-0001", transaction_id.encode())
    )
    return xml, "text/xml; charset=utf-8"


# ----------------------------------------------------------------------------------------- hostile bodies


def _hostile_cases() -> list[tuple[str, Callable[[], tuple[bytes, str]], int]]:
    cases: list[tuple[str, Callable[[], tuple[bytes, str]], int]] = []
    for name, build, cls, status, _limit in XML_CASES:
        if cls is RemoteValidationError:
            continue  # deviations strict mode names but the (tolerant) receiver reads: see below
        for wrap in sorted(WRAPPERS):
            cases.append((f"xml-{name}-{wrap}", lambda b=build, w=wrap: WRAPPERS[w](b()), status))
    for name, build, _cls, status, _limit in MIME_CASES:
        if name == "body-over-32MiB":
            continue  # the receiver's own 16 MiB limit answers 413 first: see the test below
        cases.append((f"mime-{name}", build, status))
    return cases


HOSTILE = _hostile_cases()


@pytest.fixture(scope="module")
def shared_receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Receiver, str]]:
    directory = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{directory / 'inbox.db'}"
    with receiver(url, directory) as server:
        yield server, url


@pytest.mark.parametrize(("name", "build", "status"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_post_gets_a_fault_and_stores_nothing(
    shared_receiver: tuple[Receiver, str], name: str, build: Callable[[], tuple[bytes, str]], status: int
) -> None:
    server, url = shared_receiver
    body, content_type = build()
    log_before = len(server.log())
    response = server.post(body, content_type)
    assert 400 <= response.status_code < 600, response.status_code
    assert b"Fault" in response.content, response.content[:300]
    # 2007 for format errors; the receiver maps its ConfigError-free codec errors the same way.
    assert fault_status(response.content) == str(status), response.content[:500]
    assert b"Traceback" not in response.content and b'File "' not in response.content
    wait_until(lambda: len(server.log()) > log_before, "a log line for the refused request")
    assert "Traceback" not in server.log()[log_before:]
    assert stored(url) == 0


@pytest.mark.parametrize("name", EXTERNAL)
def test_external_entities_posted_to_the_receiver_open_no_file(
    shared_receiver: tuple[Receiver, str], name: str, tmp_path: Path
) -> None:
    """Each XXE / external DTD case POSTed to the receiver process (bare and as multipart root): a 2007 fault,
    nothing stored, no /etc/passwd text in the answer, no connection to the listener, and the FIFO sentinel
    named by the file cases never opened (kernel evidence across processes; why it can fail:
    ``test_xml_attacks.py::test_the_sentinel_catches_a_parser_that_opens_local_files``)."""
    server, url = shared_receiver
    with silent_listener() as listener, fifo_sentinel(tmp_path) as sentinel:
        doctype = _external_doctypes(listener.url, sentinel.url)[name]
        for wrap in sorted(WRAPPERS):
            body, content_type = WRAPPERS[wrap](with_doctype(doctype, replace_status="&xxe;"))
            response = server.post(body, content_type)
            assert response.status_code == 500, (wrap, response.status_code)
            assert fault_status(response.content) == "2007", response.content[:500]
            assert b"root:" not in response.content
    assert not sentinel.opened.is_set(), "the receiver opened a local file named in the document"
    assert stored(url) == 0


TOLERATED_XML = [
    (name, build) for name, build, cls, _status, _limit in XML_CASES if cls is RemoteValidationError
]


@pytest.mark.parametrize(("name", "build"), TOLERATED_XML, ids=[c[0] for c in TOLERATED_XML])
def test_strict_only_refusals_are_stored_by_the_receiver_unexpanded(
    tmp_path: Path, name: str, build: Callable[[], bytes]
) -> None:
    """What strict mode refuses but tolerant reading repairs (mislabelled UTF-8, an XInclude element in a
    value) is stored and acknowledged; nothing is expanded: the element is kept as it arrived."""
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    with receiver(url, tmp_path) as server:
        body, content_type = WRAPPERS["bare"](build())
        response = server.post(body, content_type)
        assert response.status_code == 200, response.content[:500]
        assert fault_status(response.content) == "1000" and b"Fault" not in response.content
        assert "Traceback" not in "".join(server.log())
    inbox = open_inbox(url)
    try:
        [item] = inbox.list()
    finally:
        inbox.close()
    assert b"root:" not in item.envelope  # /etc/passwd was never read into it
    if b"XInclude" in body:
        assert b"xi:include" in item.envelope and "unknown-element" in item.headers["X-MM7-Deviations"]


def test_oversized_body_is_413_and_stores_nothing(shared_receiver: tuple[Receiver, str]) -> None:
    server, url = shared_receiver
    body, content_type = multipart(
        [part(envelope()), part(b"a" * (17 * 1024 * 1024), "application/octet-stream", "<big>")]
    )
    response = server.post(body, content_type)
    assert response.status_code == 413
    assert stored(url) == 0


def test_valid_post_after_hostile_ones_is_stored(shared_receiver: tuple[Receiver, str]) -> None:
    """The receiver survived everything above: a good message still gets 200 and is stored once."""
    server, url = shared_receiver
    before = stored(url)
    response = server.post(*dr("after-hostile-1", "tx-after-hostile"))
    assert response.status_code == 200, response.content[:500]
    assert fault_status(response.content) == "1000"
    assert stored(url) == before + 1


# ----------------------------------------------------------------------------------------- disk full


@pytest.fixture
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 320 KiB tmpfs mounted on a fresh directory (root only); unmounted afterwards."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the disk-full test: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def mo_with_attachment(size: int, linked_id: str) -> tuple[bytes, str]:
    attachment = part(os.urandom(size), "image/jpeg", "<content>", b"Content-Transfer-Encoding: binary\r\n")
    xml = deliver_envelope("cid:content").replace(
        b"<LinkedID>1000001</LinkedID>", f"<LinkedID>{linked_id}</LinkedID>".encode()
    )
    return multipart([part(xml), attachment])


def test_disk_full_answers_non_200_and_half_stores_nothing(tiny_filesystem: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tiny_filesystem / 'inbox.db'}"
    filler = tiny_filesystem / "filler"
    with receiver(url, tmp_path) as server:
        # Take what is left of the filesystem but ~40 KiB: the database schema exists, a big MO cannot fit.
        free = shutil.disk_usage(tiny_filesystem).free
        filler.write_bytes(b"\0" * max(0, free - 40 * 1024))
        body, content_type = mo_with_attachment(200 * 1024, "disk-full-1")
        response = server.post(body, content_type)
        assert response.status_code >= 500, response.status_code
        assert fault_status(response.content) == "3000", response.content[:500]
        assert b"Traceback" not in response.content
        assert stored(url) == 0
        assert "3000" in server.log() or "inbox refused" in server.log()

        # Space comes back: the MMSC's retry of the very same message is stored, once.
        filler.unlink()
        retry = server.post(body, content_type)
        assert retry.status_code == 200, retry.content[:500]
        assert stored(url) == 1
        inbox = open_inbox(url)
        try:
            [item] = inbox.list()
            assert item.attachments, "the stored MO lost its attachment"
        finally:
            inbox.close()


# ----------------------------------------------------------------------------------------- PostgreSQL restart


@pytest.fixture
def own_pg_cluster(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """A throw-away PostgreSQL cluster of our own (restarting it disturbs no other test): (dsn, restart)."""
    state = tmp_path / "pg"
    env = {k: v for k, v in os.environ.items() if k != "MM7_PG_STATE_DIR"}
    proc = subprocess.run(
        [str(PG_SERVER), "start", str(state)], capture_output=True, text=True, timeout=600, env=env
    )
    if proc.returncode != 0:
        pytest.fail(f"scripts/pg-server start failed:\n{proc.stderr}", pytrace=False)
    dsn = re.search(r"MM7_TEST_POSTGRES_DSN='([^']+)'", proc.stdout).group(1)  # type: ignore[union-attr]
    data = (state / "datadir").read_text().strip()
    bindir = (state / "bindir").read_text().strip()

    def restart() -> None:
        command = [f"{bindir}/pg_ctl", "restart", "-D", data, "-m", "fast", "-w", "-t", "60"]
        command += ["-l", f"{data}/server.log"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # No pipes: the restarted postmaster would inherit them and keep them open.
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    try:
        yield dsn, restart
    finally:
        stopped = subprocess.run(
            [str(PG_SERVER), "stop", str(state)], capture_output=True, text=True, timeout=120, env=env
        )
    if stopped.returncode != 0:  # e.g. the postmaster would not exit: its data directory was kept
        pytest.fail(
            f"scripts/pg-server stop failed (exit {stopped.returncode}):\n{stopped.stderr}", pytrace=False
        )


def test_postgres_restart_during_a_burst_loses_no_acknowledged_notification(
    own_pg_cluster: tuple[str, Callable[[], None]], tmp_path: Path
) -> None:
    dsn, restart = own_pg_cluster
    acknowledged: list[str] = []
    failed: list[str] = []
    lock = threading.Lock()
    with receiver(dsn, tmp_path, threads=8) as server:

        def sender(worker: int) -> None:
            for i in range(40):
                message_id = f"pg-{worker}-{i}"
                try:
                    response = server.post(*dr(message_id, f"tx-{message_id}"), timeout=30)
                    ok = response.status_code == 200 and fault_status(response.content) == "1000"
                except requests.RequestException:
                    ok = False
                with lock:
                    (acknowledged if ok else failed).append(message_id)

        threads = [threading.Thread(target=sender, args=(w,)) for w in range(6)]
        for thread in threads:
            thread.start()
        wait_until(lambda: len(acknowledged) >= 20, "some acknowledged posts before the restart")
        with lock:
            before_restart = len(acknowledged) + len(failed)
        restart()
        assert before_restart < 240, "the burst ended before the restart: nothing was tested"
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads)

        # After the restart the receiver serves again (the MMSC's retries of the failures get through).
        def retried() -> bool:
            for message_id in list(failed):
                try:
                    response = server.post(*dr(message_id, f"tx-{message_id}"), timeout=30)
                except requests.RequestException:
                    return False
                if response.status_code != 200:
                    return False
                failed.remove(message_id)
                acknowledged.append(message_id)
            return True

        wait_until(retried, "the receiver to store the retried posts after the restart", deadline=60)

    inbox = open_inbox(dsn)
    try:
        items = inbox.list(limit=10_000)
    finally:
        inbox.close()
    ids = [item.message_id for item in items]
    assert len(acknowledged) == 240
    for message_id in acknowledged:
        assert ids.count(message_id) == 1, message_id
    assert len(ids) == len(set(ids)) == 240


# ----------------------------------------------------------------------------------------- slowloris


def slow_client(port: int, declared: int = 100_000) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = (
        "POST /mm7 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    sock.sendall(head.encode() + b"<?xml version=")
    return sock


def is_closed_by_peer(sock: socket.socket) -> bool:
    sock.settimeout(0.2)
    try:
        data = sock.recv(4096)
    except TimeoutError:
        return False
    except OSError:
        return True
    return data == b"" or data.startswith(b"HTTP/")


def test_slow_bodies_do_not_block_others_and_are_dropped_by_the_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    with receiver(url, tmp_path, threads=2, channel_timeout=2) as server:
        stalled = [slow_client(server.port) for _ in range(10)]  # 5x more than worker threads
        try:
            start = time.monotonic()
            for i in range(5):
                response = server.post(*dr(f"slow-{i}", f"tx-slow-{i}"), timeout=10)
                assert response.status_code == 200
            assert time.monotonic() - start < 5, "stalled clients delayed other requests"
            # The channel timeout (2 s here) frees every stalled connection.
            wait_until(
                lambda: all(is_closed_by_peer(s) for s in stalled), "stalled connections to be dropped"
            )
        finally:
            for sock in stalled:
                sock.close()
        response = server.post(*dr("slow-after", "tx-slow-after"), timeout=10)
        assert response.status_code == 200
    assert stored(url) == 6
