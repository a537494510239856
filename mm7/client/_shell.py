"""What both client shells (:class:`MM7Client`, :class:`AsyncMM7Client`) share above the protocol core.

The profile accessors (``mm7_version``, ``sinch``), recording accepted submits in a tracker, and the Sinch
constructor's work: building the
:class:`~mm7.profiles.sinch.SinchProfile` and the options it implies (the account's shared throttle, HTTP
Basic credentials). Each shell keeps its own typed ``for_sinch`` signature and calls :func:`sinch_setup`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict, TypeVar

from mm7.capture import Capture, Message, headers_of, read_prefix, request_target, status_line
from mm7.client._core import Call, Protocol
from mm7.client._transport import HTTPResponse
from mm7.client.auth import Auth
from mm7.client.throttle import Rate, Throttle
from mm7.errors import ConfigError, MM7Error
from mm7.profiles.base import Profile
from mm7.profiles.sinch import SINCH_ENDPOINT, SinchProfile

if TYPE_CHECKING:
    from mm7.client._client import SubmitResult
    from mm7.codec.message_types import SubmitReq
    from mm7.tracking import Tracker

__all__ = ["ShellBase", "SinchOptions", "sinch_setup"]

logger = logging.getLogger("mm7.client")


class SinchOptions(TypedDict, total=False):
    """Client options the Sinch constructor adds to the caller's."""

    throttle: Throttle | None
    auth: Auth | tuple[str, str] | None


#: A shell's options TypedDict (ClientOptions, AsyncClientOptions): both have SinchOptions' keys.
OptionsT = TypeVar("OptionsT", bound=SinchOptions)


class ShellBase:
    """Accessors both clients have: they read the profile and the protocol core."""

    _core: Protocol
    profile: Profile
    tracker: Tracker | None = None
    capture: Capture | None = None

    @property
    def mm7_version(self) -> str:
        """The MM7Version of requests this client builds: the dialect's, else the profile's."""
        return self._core.mm7_version

    @property
    def sinch(self) -> SinchProfile:
        """The profile, as a SinchProfile (ConfigError when the client has another profile)."""
        if not isinstance(self.profile, SinchProfile):
            raise ConfigError(f"this client's profile is {self.profile.name!r}, not sinch")
        return self.profile

    def _track(self, message: SubmitReq, result: SubmitResult) -> None:
        """Record an accepted submit in the tracker, if any; a failure is logged, never raised."""
        if self.tracker is None:
            return
        try:
            self.tracker.record_sent(message, result, profile=self.profile.name)
        except MM7Error as exc:
            logger.error("tracker could not record MessageID %s: %s", result.message_id, exc)

    def _capture(self, call: Call, response: HTTPResponse | None, error: MM7Error | None = None) -> None:
        """Write an attempt's request and answer to the capture directory, if any (blocking file I/O).

        Called by both shells after each attempt that reached the transport (the async one in a worker
        thread); a failure is logged, never raised.
        """
        capture = self.capture
        if capture is None:
            return
        try:
            sent = call.request
            target, host = request_target(sent.url)
            request = Message(
                f"{sent.method} {target} HTTP/1.1",
                [("Host", host), *headers_of(sent.headers)],
                read_prefix(sent.body, capture.max_file_bytes),
                sent.content_length,
            )
            answer = None
            if response is not None:
                answer = Message(status_line(response.status), headers_of(response.headers), response.body)
            note = None if response is not None or error is None else f"no answer: {error}"
            capture.write("client", call.operation, call.transaction_id, request, answer, note)
        except Exception as exc:  # reading the body again failed (a file changed): the send goes on
            logger.error("capture of %s %s failed: %s", call.operation, call.transaction_id, exc)


def sinch_setup(
    options: OptionsT,
    *,
    api_key: str,
    short_code: str,
    vas_id: str | None,
    endpoint: str | None,
    mm7_version: str,
    carrier_id: str | None,
    default_region: str | None,
    rates: Sequence[Rate],
    username: str | None,
    password: str | None,
) -> SinchProfile:
    """The Sinch profile; completes the caller's ``options`` (a fresh ``**options`` dict) in place.

    ``rates`` become ``Throttle.shared("sinch:<api_key>")`` unless ``options`` names a throttle;
    ``username`` (with ``password``) becomes the HTTP Basic ``auth``, replacing any in ``options``.

    Returns:
        The profile.
    """
    profile = SinchProfile(
        api_key=api_key,
        vas_id=vas_id,
        short_code=short_code,
        endpoint=endpoint or SINCH_ENDPOINT,
        mm7_version=mm7_version,
        carrier_id=carrier_id,
        default_region=default_region,
        rates=tuple(rates),
    )
    if profile.rates and "throttle" not in options:
        options["throttle"] = Throttle.shared(f"sinch:{api_key}", profile.rates)
    if username is not None:
        options["auth"] = (username, password or "")
    return profile
