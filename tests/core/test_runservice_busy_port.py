import socket
import subprocess

import pytest
from django.core.management import CommandError, call_command

from core.management.commands import runservice

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_port():
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver's own socket
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.fixture
def started(monkeypatch):
    """What runservice starts, recorded instead of run."""
    calls = []

    class FakeWorker:
        pid = 4242

        def __init__(self, command, **kwargs):
            calls.append(("worker", command))

        def terminate(self):
            calls.append(("terminated", None))

        def wait(self, timeout=None):
            return 0

    def fake_call_command(name, *args, **kwargs):
        calls.append((name, args))

    monkeypatch.setattr(subprocess, "Popen", FakeWorker)
    monkeypatch.setattr(runservice, "call_command", fake_call_command)
    return calls


def test_it_refuses_a_busy_port_before_starting_anything(busy_port, started):
    with pytest.raises(CommandError, match=f"Port {busy_port} on 127.0.0.1 is already in use"):
        call_command("runservice", "--port", str(busy_port))
    assert started == []


def test_on_a_free_port_it_checks_deadlines_then_starts_the_worker_and_stops_it_after(started):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    call_command("runservice", "--port", str(free))
    assert [name for name, _ in started] == ["check_deadlines", "worker", "runserver", "terminated"]
    assert runservice.port_in_use("127.0.0.1", free) is False
