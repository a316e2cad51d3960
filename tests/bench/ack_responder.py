#!/usr/bin/python3
"""Instant-ack stand-in for sshrecd, for bench_login.sh only: answers every
"open" at once with a fresh session id and every other request with ok, so a
login through pam_sshrec measures the module's own cost (cgroup creation,
migration, registration round trip) without the daemon's work.

Usage: ack_responder.py SOCKET CGROUPS_FILE
Each registered cgroup_path is appended to CGROUPS_FILE: no daemon removes
those cgroups, so the benchmark does (rmdir once they are empty).
"""
import json
import socket
import sys
import uuid

s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])
s.listen(128)
seen = open(sys.argv[2], "a", buffering=1)
while True:
    c, _ = s.accept()
    try:
        req = json.loads(c.recv(1 << 17))
        rep = {"ok": True}
        if req.get("op") == "open":
            rep = {"ok": True, "sid": str(uuid.uuid4()), "session_key": 1}
            if not req.get("cgroup_adopted"):
                seen.write(req.get("cgroup_path", "") + "\n")
        c.send(json.dumps(rep).encode())
    except (ValueError, OSError) as e:
        c.send(json.dumps({"ok": False, "error": str(e)}).encode())
    finally:
        c.close()
