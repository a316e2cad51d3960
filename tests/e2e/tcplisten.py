#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Tiny loopback TCP listener for the e2e tests.

usage: tcplisten.py ADDR PORTFILE

Binds ADDR (127.0.0.1 or ::1) on a free port, writes the port to PORTFILE
(atomically, once listening) and serves until killed: every connection gets
a minimal HTTP/1.0 200 reply (so curl succeeds) and is closed. Each accepted
peer is logged on stdout as "accept IP PORT".
"""
import os
import socket
import sys
import threading


def serve(conn, peer):
    with conn:
        conn.settimeout(5)
        try:
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data:
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n"
                             b"Connection: close\r\n\r\nok\n")
        except OSError:
            pass


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    addr, portfile = sys.argv[1], sys.argv[2]
    if not (addr.startswith("127.") or addr == "::1"):
        sys.stderr.write("tcplisten.py: loopback addresses only\n")
        return 2
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 0))
    s.listen(512)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(tmp, portfile)
    while True:
        conn, peer = s.accept()
        print("accept %s %d" % (peer[0], peer[1]), flush=True)
        threading.Thread(target=serve, args=(conn, peer), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
