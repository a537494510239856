"""What to do next after an exchange: one ``outcome`` for every result and every error.

Two words answer two questions about a request (docs/client.md, "Outcomes"):

* **acceptance** -- did the relay take it? ``accepted``, ``failed`` or ``unknown`` (the answer was lost:
  the request may have been taken, so sending it again may duplicate it);
* **outcome** -- what should the caller do next?

  ================  =============================================================================
  ``success``       nothing: the relay took the request (an MM7 1xxx status).
  ``retry_later``   send the same request again after a while: the relay is busy or throttling
                    (4006, HTTP 429 / 503), a carrier says "retry" for its code, or nothing was sent.
  ``fix_request``   it will fail again as it is: change the request or the configuration first (a 2xxx
                    client error, wrong credentials HTTP 401/403, a body too large HTTP 413,
                    an unsupported version or operation, a message mm7 refused to build).
  ``give_up``       do not send it again: the relay refused it for good (3001 not possible, 3002
                    rejected, 4005, 4007...), or the request may have been taken (no answer, an HTTP 500
                    or 502 without an MM7 answer) and resending could deliver it twice: reconcile with
                    the delivery reports instead.
  ================  =============================================================================

The MM7 status decides first, through the status table in use (a carrier profile's vendor codes overlay
TS 23.140's): a code the table marks retryable is ``retry_later``; otherwise its own outcome, else its
class's (2xxx ``fix_request``; 3xxx and 4xxx ``give_up``, except the codes TS 23.140 describes as a
request to change, listed in :data:`FIX_REQUEST_CODES`). An unknown code in x500-x999 (a vendor's)
falls back to its class, as TS 23.140 says unknown codes do. Without an MM7 status the HTTP status and
the transport failure decide (:func:`outcome_of_http`).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "FIX_REQUEST_CODES",
    "OUTCOMES",
    "RETRY_LATER_HTTP",
    "Outcome",
    "outcome_of_http",
    "outcome_of_status",
]

Outcome = Literal["success", "retry_later", "fix_request", "give_up"]
#: Every outcome, in the order of the table above.
OUTCOMES: tuple[Outcome, ...] = ("success", "retry_later", "fix_request", "give_up")

#: HTTP statuses saying the request was refused before it was processed (as ``RetryPolicy`` retries them):
#: 408 Request Timeout, 425 Too Early, 429 Too Many Requests, 503 Service Unavailable.
RETRY_LATER_HTTP = frozenset({408, 425, 429, 503})

#: 3xxx and 4xxx codes whose TS 23.140 meaning asks for a different request, not a lost cause: 3003
#: (send once per recipient), 3004 (no application addressing), 4001 (identification), 4002 (version),
#: 4003 (operation), 4004 (validation), 4008 (application not allowed the operation).
FIX_REQUEST_CODES = frozenset({3003, 3004, 4001, 4002, 4003, 4004, 4008})


def outcome_of_status(code: int, *, retryable: bool) -> Outcome:
    """The outcome of an MM7 StatusCode, given whether its table marks it retryable.

    Args:
        code: The StatusCode (any integer: a code outside 1000-4999 is ``give_up``).
        retryable: The status table's word on the code (``StatusInfo.retryable``).
    """
    status_class = code // 1000 if 1000 <= code <= 4999 else 0
    if status_class == 1:
        return "success"
    if retryable:
        return "retry_later"
    if status_class == 2 or code in FIX_REQUEST_CODES:
        return "fix_request"
    return "give_up"


def outcome_of_http(http_status: int | None, *, request_sent: bool | None) -> Outcome:
    """The outcome of an exchange without an MM7 status: its HTTP status, or how the transport failed.

    Args:
        http_status: The HTTP status of the answer, or None when none came.
        request_sent: False when the request certainly did not reach the relay; True or None when it
            may have (an answer that never came cannot say whether the request was taken).
    """
    if http_status is None:
        return "retry_later" if request_sent is False else "give_up"
    if http_status in RETRY_LATER_HTTP:
        return "retry_later"  # refused before processing: the request was not taken
    if http_status >= 500 or 200 <= http_status < 300:
        # A server error, or a success status, without an MM7 answer: the request may have been taken
        # (a gateway may fail after the relay did), so sending it again may duplicate it.
        return "give_up"
    # 4xx: 401/403 credentials or permission, 413 too large, 400/404/415 the request or the endpoint;
    # 1xx/3xx: an interim answer or a redirect, which MM7 never uses (check the endpoint).
    return "fix_request"
