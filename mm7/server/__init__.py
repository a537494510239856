"""The MM7 receiver: a WSGI app that stores what the MMSC posts, and workers that hand it to the application.

* :class:`ReceiverApp` (WSGI) decodes DeliverReq / DeliveryReportReq / ReadReplyReq, stores them in an
  :class:`~mm7.inbox.Inbox` and only then acknowledges.
* :class:`Worker` claims stored notifications and calls the application's handlers outside the request.
* :func:`serve` runs an app on waitress; :func:`create_app` builds one from environment variables, for
  ``gunicorn 'mm7.server:create_app()'``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mm7.server.app import ReceiverApp
from mm7.server.auth import AllowList, AuthPolicy, BasicAuth
from mm7.server.worker import Received, Worker, load_handlers, run_worker

if TYPE_CHECKING:
    from mm7.server.serve import create_app, create_app_from_env, make_app, make_server, serve

# mm7.server.serve is imported on first use (PEP 562) so that ``python -m mm7.server.serve`` does not find
# the module already imported by its package (runpy warns about that).
_LAZY = {"create_app", "create_app_from_env", "make_app", "make_server", "serve"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("mm7.server.serve"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AllowList",
    "AuthPolicy",
    "BasicAuth",
    "Received",
    "ReceiverApp",
    "Worker",
    "create_app",
    "create_app_from_env",
    "load_handlers",
    "make_app",
    "make_server",
    "run_worker",
    "serve",
]
