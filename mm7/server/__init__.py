"""The MM7 receiver: a WSGI app that stores what the MMSC posts, and workers that hand it to the application.

* :class:`ReceiverApp` (WSGI) decodes DeliverReq / DeliveryReportReq / ReadReplyReq, stores them in an
  :class:`~mm7.inbox.Inbox` and only then acknowledges.
* :class:`ASGIReceiverApp` is the same receiver for asyncio servers (:func:`make_asgi_app`): mount it in
  FastAPI, or run it on uvicorn with ``mm7 serve --asgi``.
* :class:`Worker` claims stored notifications and calls the application's handlers outside the request.
* :func:`serve` runs an app on waitress; :func:`create_app` builds one from environment variables, for
  ``gunicorn 'mm7.server:create_app()'``.
"""

from __future__ import annotations

from mm7.server.app import ReceiverApp
from mm7.server.asgi import ASGIReceiverApp
from mm7.server.auth import AllowList, AuthPolicy, BasicAuth, BearerAuth

# The server functions live in mm7.server.hosting: a submodule named like the function it exports
# (``serve``) would replace the function by the module as soon as it is imported.
from mm7.server.hosting import create_app, create_app_from_env, make_app, make_asgi_app, make_server, serve
from mm7.server.worker import Received, Worker, load_handlers, run_worker

__all__ = [
    "ASGIReceiverApp",
    "AllowList",
    "AuthPolicy",
    "BasicAuth",
    "BearerAuth",
    "Received",
    "ReceiverApp",
    "Worker",
    "create_app",
    "create_app_from_env",
    "load_handlers",
    "make_app",
    "make_asgi_app",
    "make_server",
    "run_worker",
    "serve",
]
