"""gunicorn configuration for the receiver, reading the same ``MM7_*`` settings as ``mm7 serve``.

Use it as::

    gunicorn -c python:mm7.server.gunicorn_config -b 127.0.0.1:8080 'mm7.server:create_app()'

with a buffering proxy (nginx, see docs/receiver.md) in front when the endpoint is public: gunicorn reads
a request in a worker thread, so it cannot enforce ``MM7_HEADER_TIMEOUT`` / ``MM7_BODY_TIMEOUT`` for a
trickling client; the proxy does, and hands gunicorn only complete requests.

The settings are read (and checked: a bad value or an unreadable password file stops gunicorn before it
forks) when gunicorn loads this file; each worker's ``create_app()`` reads the same environment.

* ``gthread`` workers with ``MM7_THREADS`` threads each: a request waiting on the database does not
  block the worker's other connections, and kept-alive connections wait in the worker's poller, not a thread.
* ``worker_connections``: ``MM7_CONNECTION_LIMIT`` (per worker).
* ``keepalive``: ``MM7_IDLE_TIMEOUT`` seconds.
* ``timeout``: a worker silent for 30 s is restarted; ``graceful_timeout`` 10 s on shutdown.
* ``bind``: ``MM7_BIND`` (default ``127.0.0.1:8080``); ``-b`` on the command line wins.
* ``workers``: ``WEB_CONCURRENCY`` (default 2); ``-w`` wins.
"""

from __future__ import annotations

import os

from mm7.server.hosting import ReceiverSettings

settings = ReceiverSettings.from_env()

bind = [os.environ.get("MM7_BIND") or "127.0.0.1:8080"]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "gthread"
threads = settings.threads
worker_connections = settings.connection_limit
keepalive = max(1, round(settings.idle_timeout))
timeout = 30
graceful_timeout = 10
# Request line and headers: gunicorn's own limits (4094 bytes per line, 100 fields) refuse oversized heads.
limit_request_line = 4094
limit_request_fields = 100
