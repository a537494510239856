"""A local MMSC simulator that behaves like Sinch's MM7 service (see :mod:`mm7.simulator.mmsc`)."""

from __future__ import annotations

from mm7.simulator.log import ExchangeLog, LogEntry
from mm7.simulator.mmsc import MMSCSimulator, ServerThread, SimulatorConfig, new_message_id
from mm7.simulator.postback import Outcome, Postback, PostbackScheduler, send_postback
from mm7.simulator.rules import Rejection, SubmitRules, ThroughputGate, basic_auth_header

__all__ = [
    "ExchangeLog",
    "LogEntry",
    "MMSCSimulator",
    "Outcome",
    "Postback",
    "PostbackScheduler",
    "Rejection",
    "ServerThread",
    "SimulatorConfig",
    "SubmitRules",
    "ThroughputGate",
    "basic_auth_header",
    "new_message_id",
    "send_postback",
]
