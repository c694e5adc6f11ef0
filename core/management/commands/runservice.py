import ctypes
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

PR_SET_PDEATHSIG = 1


def port_in_use(host: str, port: int) -> bool:
    """True if something already listens on host:port (what runserver would fail on after the worker started)."""
    try:
        socket.create_connection(
            (host if host not in ("0.0.0.0", "::") else "127.0.0.1", port), timeout=1
        ).close()
        return True  # something answers there
    except OSError:
        pass
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError:
                return True
    return False


def _die_with_parent():
    # runserver leaves with os._exit() on some errors, skipping our clean-up: the kernel then
    # sends the worker SIGTERM, so no worker or scheduler outlives the service (Linux only).
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class Command(BaseCommand):
    help = "Serve the web app with a Celery worker and the beat scheduler beside it (one command for one machine)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")

    def handle(self, *args, host, port, concurrency, **options):
        if port_in_use(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use (another `make run`?). "
                f"Stop that process, or choose another port: PORT={port + 1} make run"
            )
        # Deadlines that passed while the service was down are missed now, not at the first periodic check.
        call_command("check_deadlines", stdout=self.stdout)
        worker = self._start_worker(concurrency)
        broker = "Redis" if settings.REDIS_URL else "embedded file broker (var/celery)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Worker and scheduler started (pid {worker.pid}, {broker}). "
                f"Admin: http://{host}:{port}/admin/  API: http://{host}:{port}/api/v1/"
            )
        )

        def stop(*_):
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop_worker(worker)
            signal.signal(signal.SIGTERM, previous)

    def _start_worker(self, concurrency):
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--loglevel", "INFO"]
        command += ["--concurrency", str(concurrency), "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME]
        return subprocess.Popen(command, preexec_fn=_die_with_parent)

    @staticmethod
    def _stop_worker(worker):
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
