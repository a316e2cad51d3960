#!/usr/bin/python3
"""Raw client of sshrecd's registration socket for the pam_* e2e tests.

Usage:
  pam_client.py SOCKET open       one well-formed "open" for a made-up session
  pam_client.py SOCKET close [SID]  a well-formed "close" (of a session that is not
                                  open, or of SID)
  pam_client.py SOCKET garbage    the hostile messages below, one connection each
  pam_client.py SOCKET hold SECS  connect, send nothing, hold the connection

Prints one line per message: "<name> REPLY <json>", "<name> HANGUP" (closed
without a reply), "<name> TIMEOUT" or "<name> ERROR <errno name>".
"""
import errno
import json
import os
import socket
import sys
import time

SID = "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b"
OPEN = {"v": 1, "op": "open", "pid": 1, "user": "mallory", "service": "sshd",
        "tty": "ssh", "rhost": "203.0.113.9", "audit_session_id": 4242,
        "cgroup_id": 1, "cgroup_path": "/sshrec-test-not-a-session",
        "cgroup_adopted": False, "ssh_connection": "203.0.113.9 1 127.0.0.1 22",
        "ssh_auth_info": "publickey ssh-ed25519 AAAA"}


def j(obj):
    return json.dumps(obj).encode()


def garbage():
    big = b'{"v":1,"op":"open","user":"' + b"A" * (1 << 20) + b'"}'
    just_over = b'{"v":1,"op":"status","pad":"' + b"p" * (64 * 1024) + b'"}'
    return [
        ("junk", b"hello, daemon"),
        ("lone-brace", b"{"),
        ("truncated-open", j(OPEN)[:40]),
        ("1MiB", big),
        ("64KiB+", just_over),
        ("binary", bytes((i * 37 + 11) & 0xFF for i in range(4096))),
        ("nul-bytes", b'{"v":1,\0"op":"status"}'),
        ("array", b"[1,2,3]"),
        ("string", b'"open"'),
        ("bad-op", j({"v": 1, "op": "destroy"})),
        ("bad-version", j({"v": 99, "op": "status"})),
        ("pid-string", j(dict(OPEN, pid="1"))),
        ("pid-negative", j(dict(OPEN, pid=-7))),
        ("user-array", j(dict(OPEN, user=["root"]))),
        ("user-huge", j(dict(OPEN, user="u" * 5000))),
        ("missing-fields", j({"v": 1, "op": "open"})),
        ("cgroup-traversal", j(dict(OPEN, cgroup_path="/sshrec/../../etc"))),
        ("close-not-uuid", j({"v": 1, "op": "close", "sid": "../../etc/passwd"})),
        ("deep-nesting", b"[" * 100000 + b"]" * 100000),
        ("trailing-data", j({"v": 1, "op": "status"}) + b"}}}garbage"),
    ]


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    return s


def exchange(path, name, msg):
    try:
        s = connect(path)
    except OSError as e:
        print(name, "ERROR", errno.errorcode.get(e.errno, str(e.errno)), flush=True)
        return
    try:
        if len(msg) > 200000:
            # large datagrams need a larger send buffer (root may force it)
            try:
                s.setsockopt(socket.SOL_SOCKET, 32, 4 << 20)  # SO_SNDBUFFORCE
            except OSError:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.send(msg)
        rep = s.recv(1 << 20)
        print(name, "HANGUP" if not rep else "REPLY " + rep.decode("utf-8", "replace"), flush=True)
    except socket.timeout:
        print(name, "TIMEOUT", flush=True)
    except OSError as e:
        code = errno.errorcode.get(e.errno, str(e.errno))
        print(name, "HANGUP" if e.errno in (errno.ECONNRESET, errno.EPIPE) else "ERROR " + code,
              flush=True)
    finally:
        s.close()


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "open":
        exchange(path, "open", j(OPEN))
    elif mode == "close":
        sid = sys.argv[3] if len(sys.argv) > 3 else SID
        exchange(path, "close", j({"v": 1, "op": "close", "sid": sid}))
    elif mode == "garbage":
        for name, msg in garbage():
            exchange(path, name, msg)
    elif mode == "hold":
        s = connect(path)
        print("held", flush=True)
        time.sleep(float(sys.argv[3]))
        s.close()
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
