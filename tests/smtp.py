"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests and benchmarks, collecting what it accepts.

The handler can be told to refuse: with 451 (a temporary failure, as during an outage)
after a number of messages or for everything, and with 550 for chosen recipients. It can be
slow (`data_delay` seconds before it answers DATA), like a loaded relay.
"""
import asyncio
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CollectingHandler:
    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.lock = threading.Lock()
        self.accept_at_most: int | None = None  # then answer 451 until this is cleared
        self.refusing = False
        self.unknown_recipients: set[str] = set()
        self.data_delay = 0.0
        self.data_started = 0  # DATA commands begun (counted before the delay)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.unknown_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay:
            with self.lock:
                self.data_started += 1
            await asyncio.sleep(self.data_delay)  # aiosmtpd cancels this if the client goes away
            if server.transport is None or server.transport.is_closing():
                return "451 4.4.2 Connection lost before the reply"  # not accepted: nobody heard a 250
        with self.lock:
            full = self.accept_at_most is not None and len(self.received) >= self.accept_at_most
            if self.refusing or full:
                return "451 4.3.0 Mail server temporarily unavailable, try again later"
            self.received.append(envelope.content)
        return "250 Message accepted for delivery"

    def messages(self):
        with self.lock:
            return [message_from_bytes(raw, policy=policy.default) for raw in self.received]

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages()]


class SmtpServer:
    """Start, stop and start again on the same port: an outage the mail worker must ride out."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = CollectingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self) -> dict:
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5}


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
