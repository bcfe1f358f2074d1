"""Where a webhook may connect: public addresses on ports 80 and 443, checked when sent.

Why: a receiver URL is typed by a merchant's staff, and the delivery runs inside the
server's network. A check of the URL's text when it is saved is not enough: `127.1`,
`2130706433`, `0x7f000001` and `[::ffff:127.0.0.1]` all reach loopback, and a name
that resolved to a public address then can resolve to `10.0.0.5` at delivery (DNS
rebinding). So the host is resolved at delivery time, every address it gives must be
public, and the connection goes to that checked address (with the name kept for the
Host header, SNI and the certificate check). Redirects are never followed. Only the
generic reasons below are recorded, so the Integrations page is no port scanner.

`WEBHOOKS_ALLOW_PRIVATE` (tests and development, refused in production) lifts the
address and port rules, for receivers on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import certifi
import urllib3
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError, SSLError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# Names that only mean something inside a private network.
PRIVATE_SUFFIXES: Final = (
    ".localhost",
    ".localdomain",
    ".local",
    ".internal",
    ".intranet",
    ".lan",
    ".home.arpa",
    ".corp",
)
# The reasons a failed attempt may record and the Integrations page may show.
REFUSED = "address not allowed"
NOT_FOUND = "host not found"
TIMED_OUT = "timed out"
CONNECTION_REFUSED = "connection refused"
TLS_FAILED = "TLS error"
CONNECTION_FAILED = "connection failed"
INTERRUPTED = "interrupted"
REASONS: Final = frozenset(
    {REFUSED, NOT_FOUND, TIMED_OUT, CONNECTION_REFUSED, TLS_FAILED, CONNECTION_FAILED, INTERRUPTED}
)
MAX_ANSWER_BYTES = 64 * 1024


class RefusedTarget(Exception):
    """The URL may not be connected to; `reason` is one of REASONS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect, and what to call the host on the wire."""

    scheme: str
    hostname: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        name = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return name if self.port == DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


def literal_address(host: str) -> Address | None:
    """The address a host names in any numeric spelling (dotted, short, decimal, hex,
    octal, IPv6), or None for a name. `inet_aton` reads the old IPv4 spellings."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host[:1].isdigit() and all(ch in "0123456789abcdefxABCDEFX." for ch in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public(address: Address) -> bool:
    """True for a globally routed unicast address; IPv4 inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address.teredo is not None:
            inner = address.teredo[1]
        if inner is not None:
            return is_public(inner)
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def private_name(host: str) -> bool:
    """A name that cannot be a public receiver: one label (`redis`), or a private suffix."""
    name = host.rstrip(".").lower()
    return "." not in name or name == "localhost" or name.endswith(PRIVATE_SUFFIXES)


def parse_target(url: str, *, allow_private: bool) -> Target:
    """The URL's parts once its scheme, port and (literal) host pass the rules."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise RefusedTarget(REFUSED)
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise RefusedTarget(REFUSED) from None
    host = parts.hostname
    if not allow_private:
        if port not in DEFAULT_PORTS.values():
            raise RefusedTarget(REFUSED)
        address = literal_address(host)
        if (address is not None and not is_public(address)) or (
            address is None and private_name(host)
        ):
            raise RefusedTarget(REFUSED)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path)


def resolve(target: Target, *, allow_private: bool) -> str:
    """The one address to connect to: every address the name has must be public."""
    literal = literal_address(target.hostname)
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        try:
            infos = socket.getaddrinfo(target.hostname, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise RefusedTarget(NOT_FOUND) from None
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise RefusedTarget(NOT_FOUND)
    if not allow_private and not all(is_public(a) for a in addresses):
        raise RefusedTarget(REFUSED)
    return str(addresses[0])


def _pool(target: Target, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    options = {"timeout": urllib3.Timeout(timeout), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **options,
        )
    return urllib3.HTTPConnectionPool(address, target.port, **options)


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> int:
    """POST `body` to the checked address of `url`; the HTTP status, or RefusedTarget."""
    target = parse_target(url, allow_private=allow_private)
    address = resolve(target, allow_private=allow_private)
    with _pool(target, address, timeout) as pool:
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers={**headers, "Host": target.host_header},
                redirect=False,
                assert_same_host=False,
                preload_content=False,
            )
        except NewConnectionError as exc:  # before ConnectTimeoutError, its base class
            refused = isinstance(exc.__cause__, ConnectionRefusedError)
            raise RefusedTarget(CONNECTION_REFUSED if refused else CONNECTION_FAILED) from None
        except (ConnectTimeoutError, ReadTimeoutError):
            raise RefusedTarget(TIMED_OUT) from None
        except SSLError:
            raise RefusedTarget(TLS_FAILED) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            reason = TIMED_OUT if "timed out" in str(exc).lower() else CONNECTION_FAILED
            raise RefusedTarget(reason) from None
        try:
            response.read(MAX_ANSWER_BYTES)
        except (urllib3.exceptions.HTTPError, OSError):
            pass  # the status is the answer; a receiver that hangs up after it is fine
        finally:
            response.release_conn()
        return response.status
