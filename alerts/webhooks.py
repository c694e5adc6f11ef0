"""Outgoing webhook requests: the allow-list, the signature, and a request that cannot hang.

Requests go only to URLs starting with one of ALERTS_WEBHOOK_ALLOWED_URLS, and only to public
addresses: the host is resolved and a private, loopback, link-local or otherwise non-global
address is refused unless it is listed in ALERTS_WEBHOOK_ALLOWED_ADDRESSES (no SSRF against the
server's own network). Redirects are not followed, proxies from the environment are ignored,
connect and read time-outs are short, and at most ALERTS_WEBHOOK_MAX_RESPONSE_BYTES of the
answer are read.
"""

import hashlib
import hmac
import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-Tracker-Signature"


class UnsafeURL(ValueError):
    """A URL the administrator does not allow."""


class DeliveryError(Exception):
    """The receiver did not take the payload (a time-out, a refused connection, a non-2xx answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Tracker-Signature value: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: float, tolerance: int = 300) -> bool:
    """What a receiver does (docs/alerts.md): a valid HMAC and a timestamp within `tolerance`."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global or address in settings.ALERTS_WEBHOOK_ALLOWED_ADDRESSES


def check_url_allowed(url: str, resolve: bool = True) -> None:
    """Raise UnsafeURL unless the URL is allowed and (with `resolve`) every address of its host is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL(_("Only http and https URLs with a host are allowed."))
    if parts.username or parts.password:
        raise UnsafeURL(_("URLs with credentials are not allowed."))
    if not any(url.startswith(prefix) for prefix in settings.ALERTS_WEBHOOK_ALLOWED_URLS):
        raise UnsafeURL(
            _("This URL is not in ALERTS_WEBHOOK_ALLOWED_URLS: ask an administrator to allow it.")
        )
    if not resolve:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as exc:
        raise UnsafeURL(_("The host does not resolve: %(error)s") % {"error": exc}) from exc
    refused = sorted({info[4][0] for info in infos if not _address_allowed(info[4][0])})
    if refused:
        raise UnsafeURL(
            _("The host resolves to an address that is not allowed: %(addresses)s.")
            % {"addresses": ", ".join(refused)}
        )


def post(url: str, body: bytes, secret: str, event_id: str, timestamp: int) -> int:
    """POST a signed JSON payload; return the HTTP status, or raise DeliveryError or UnsafeURL."""
    check_url_allowed(url)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CeasefireComplianceTracker-Webhook/1",
        "X-Tracker-Event-Id": event_id,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment may reroute what we checked
    try:
        with session.post(
            url,
            data=body,
            headers=headers,
            timeout=(settings.ALERTS_WEBHOOK_CONNECT_TIMEOUT, settings.ALERTS_WEBHOOK_READ_TIMEOUT),
            allow_redirects=False,
            stream=True,
        ) as response:
            response.raw.read(settings.ALERTS_WEBHOOK_MAX_RESPONSE_BYTES, decode_content=False)
            status = response.status_code
    except requests.RequestException as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        session.close()
    if not 200 <= status < 300:
        raise DeliveryError(f"The receiver answered HTTP {status}.", status=status)
    return status
