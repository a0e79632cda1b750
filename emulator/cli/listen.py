"""The server's listening socket, bound before anything else happens at start.

``serve`` binds it before it opens the database: a start that cannot serve (the port is taken, the address
is not this machine's) stops there, having changed nothing, while a running emulator on the same database
keeps its data. The socket is then handed to uvicorn, in this process or in every forked worker.
"""

from __future__ import annotations

import errno
import socket

from emulator.cli.start_checks import StartError

# uvicorn's default backlog: connections that arrive while the database is being prepared wait in it.
BACKLOG = 2048

_REASONS = {
    errno.EADDRINUSE: "the address is already in use (another emulator, or another program, listens there)",
    errno.EACCES: "permission denied (ports below 1024 need privileges)",
    errno.EADDRNOTAVAIL: "that address is not one of this machine's",
}


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` and listening; StartError says why it cannot be."""
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    # As uvicorn does: an address with ':' is IPv6; anything else (a name, an IPv4 address) IPv4.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # Lets a restart bind while the previous run's connections linger in TIME_WAIT; never lets two
        # servers listen on one port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except socket.gaierror as exc:
        sock.close()
        raise StartError(f"cannot listen on {shown}: unknown host {host!r} ({exc.strerror})") from None
    except OSError as exc:
        sock.close()
        reason = _REASONS.get(exc.errno or 0, exc.strerror or str(exc))
        raise StartError(f"cannot listen on {shown}: {reason}") from None
    sock.set_inheritable(True)
    return sock
