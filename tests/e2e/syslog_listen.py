#!/usr/bin/python3
"""A minimal syslog receiver for the e2e tests on hosts without a syslog daemon.

Usage: syslog_listen.py SOCKET STATEDIR

Binds a unix datagram socket at SOCKET (normally /dev/log, where glibc's
syslog(3) and so pam_syslog(3) write), appends every message as one line to
STATEDIR/log, and exits once no test holds a lease any more: a lease is a file
STATEDIR/lease.PID whose PID is alive. On exit it removes SOCKET, but only if
it is still the socket it created. Shared by all tests running at the same
time (see pam_lib.sh: sr_authlog_start).
"""
import os
import socket
import sys
import time


def leases_alive(statedir):
    alive = False
    for name in os.listdir(statedir):
        if not name.startswith("lease."):
            continue
        try:
            os.kill(int(name[6:]), 0)
            alive = True
        except (ValueError, ProcessLookupError):
            try:
                os.unlink(os.path.join(statedir, name))
            except FileNotFoundError:
                pass
        except PermissionError:
            alive = True
    return alive


def main():
    path, statedir = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    ino = os.stat(path).st_ino
    sock.settimeout(0.5)
    with open(os.path.join(statedir, "ready"), "w") as f:
        f.write(str(os.getpid()))
    out = open(os.path.join(statedir, "log"), "ab", buffering=0)
    last_check = 0.0
    try:
        while True:
            try:
                data = sock.recv(65536)
                out.write(data.rstrip(b"\0\n").replace(b"\n", b" ") + b"\n")
            except socket.timeout:
                pass
            now = time.monotonic()
            if now - last_check >= 0.5:
                last_check = now
                if not leases_alive(statedir):
                    break
    finally:
        try:
            if os.stat(path).st_ino == ino:
                os.unlink(path)
        except FileNotFoundError:
            pass


if __name__ == "__main__":
    main()
