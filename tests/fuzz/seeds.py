#!/usr/bin/python3
"""Write the seed inputs of the fuzz targets into corpus/<target>/ (make fuzz
copies them to a scratch corpus). fuzz_ringbuf writes its own seeds, from the
event structs it is compiled with: SR_FUZZ_SEEDS=DIR tests/fuzz/fuzz_ringbuf.
Run from anywhere: python3 tests/fuzz/seeds.py"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = b"\xff"
KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIGZh8IN/MwyTUN8BEn5jRRR5HfdnNEOjvNgo6w0B/N2L"
HOSTILE = ["\x1b]0;owned\x07\x1b[2J10.9.9.9", "invoice\u202efdp.exe", "a\u200bb\u2066c\u2069",
           "<script>alert(1)</script>", "it's \"q\" & \\", "\ufeffbom", "tab\there\r\nnl"]


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def j(o):
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False)


def proto():
    op = {"v": 1, "op": "open", "pid": 4242, "user": "alice", "service": "sshd", "tty": "ssh",
          "rhost": "192.0.2.7", "audit_session_id": 7, "cgroup_id": 9001,
          "cgroup_path": "/sshrec/s-4242-0123456789abcdef", "cgroup_adopted": False,
          "ssh_connection": "192.0.2.7 50022 10.0.0.4 22",
          "ssh_auth_info": "publickey ssh-ed25519 " + KEY + "\n"}
    put("proto", "open", j(op))
    put("proto", "open-hostile", j(dict(op, user=HOSTILE[0], rhost=HOSTILE[1],
                                        ssh_auth_info="publickey ssh-rsa AAAA\nx\n")))
    put("proto", "close", j({"v": 1, "op": "close", "sid": "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b",
                             "pid": 4242}))
    put("proto", "status", j({"v": 1, "op": "status"}))
    put("proto", "reply-ok", j({"ok": True, "sid": "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b",
                                "session_key": 117707369264411508}))
    put("proto", "reply-err", j({"ok": False, "error": "permission denied"}))


def config():
    put("config", "sample", open(os.path.join(HERE, "..", "..", "contrib", "sshrecd.conf")).read()
        .replace("#", ""))
    put("config", "overrides", "disk = writes-only\nnetwork = off\ndisk.group.admins = all\n"
        "network.user.backup = on\nretention = 90d\nsyslog = tcp://[::1]:514\n"
        "jsonl_max_size = 4K\n# comment\n\nlog_level = debug\n")
    put("config", "policy", "enforce = audit\ndeny_exec = /usr/bin/nc /tmp/*\n"
        "deny_connect.group.ops = 10.0.0.0/8:22\ndeny_write.user.alice = /etc/*\n")


def escape():
    put("escape", "hostile", SEP.join(s.encode() for s in HOSTILE))
    put("escape", "bytes", SEP.join([b"bad\xff\xc3", b"\xed\xa0\x80", b"a\x00b\x1b",
                                     b"\xc2\x9b2J", b"\xf3\xa0\x81\x81"]))


REC = {"event": "session.command", "code": "T4000I", "time": "2026-01-05T08:00:01.500000Z",
       "ei": 3, "uid": "0b6f1d1e-8a43-4c5e-9d57-2b5f4c1a0e11",
       "sid": "019b8d3a-1f00-7000-8000-000000000001", "server_id": "srv-1",
       "server_hostname": "bastion-1", "login": "alice", "user": "SHA256:abc", "cgroup_id": 7,
       "audit_session_id": 4, "pid": 2001, "ppid": 2000, "program": "curl",
       "path": "/usr/bin/curl", "argv": ["curl", "-s", "http://203.0.113.10/x.sh"],
       "argv_truncated": False, "return_code": 0, "cwd": "/home/alice", "proc_uid": 1000,
       "proc_gid": 1000, "process_id": 12, "parent_process_id": 11}


def export():
    tail = SEP + j(["curl", "-s", HOSTILE[1]]).encode() + SEP + b"019b8d3a-1f00" + SEP + \
        b"alice" + SEP + b"192.0.2.7" + SEP + b"SHA256:abc"
    recs = {
        "command": REC,
        "exit": dict(REC, event="session.process_exit", code="SR4010I", exit_code=None, signal=9,
                     duration_ms=500),
        "disk": dict(REC, event="session.disk", code="T4001I", path="/etc/x", flags=524288,
                     flags_text="O_RDONLY|O_CLOEXEC", mode=0, return_code=-13),
        "network": dict(REC, event="session.network", code="T4002I", src_addr="10.0.0.4",
                        src_port=41000, dst_addr="2001:db8::1", dst_port=80, version=6,
                        operation="connect", result="established"),
        "start": dict(REC, event="session.start", code="T2000I", **{
            "addr.remote": "192.0.2.7:50022", "addr.local": "10.0.0.4:22", "tty": "/dev/pts/1",
            "service": "sshd", "auth": {"method": "publickey", "key_type": "ssh-ed25519",
                                        "fingerprint": "SHA256:abc"}}),
        "end": dict(REC, event="session.end", code="T2004I",
                    session_start="2026-01-05T08:00:00.000000Z",
                    session_stop="2026-01-05T08:00:43.250000Z",
                    counts={"command": 1, "disk": 1, "network": 1}, lost=0),
        "hostile": dict(REC, argv=[HOSTILE[0], {"n": [1, 2]}, 3], login=HOSTILE[2]),
        "empty-argv": dict(REC, argv=[]),
    }
    for name, r in recs.items():
        put("export", name, j(r).encode() + tail)


def report():
    def rec(kind, *strs):
        return bytes([kind]) + SEP.join(s.encode() for s in strs) + SEP
    head = SEP.join(s.encode() for s in ["alice", "192.0.2.7", "/dev/pts/1", "host.example"]) + \
        SEP + b"\x00"
    put("report", "plain", head + rec(0, "/bin/ls", "ls", "-l", "/tmp") + rec(1, "/etc/passwd") +
        rec(2, "") + b"\x00\x00\x00\x00\x00" + rec(3, "") + b"\x50")
    put("report", "hostile", SEP.join(s.encode() for s in HOSTILE[:4]) + SEP + b"\x01" +
        rec(0, HOSTILE[1], HOSTILE[0], HOSTILE[3], HOSTILE[2]) + rec(1, HOSTILE[4]) +
        rec(2, "") + b"\x01\x00\x00\x00\x09")


def pam():
    put("pam", "debian", b"\x03" + SEP.join([b"fail=closed", b"timeout=500",
                                             b"socket=/run/sshrec/sshrecd.sock",
                                             b"session required pam_env.so user_readenv=1 "
                                             b"envfile=/etc/default/locale",
                                             b"192.0.2.7", b"\x00", b"\x07\x02\x00\xc0",
                                             b"42\n", b"/user.slice/session-c3.scope",
                                             b"publickey ssh-ed25519 " + KEY.encode() + b"\n"]))
    put("pam", "brackets", b"\x01" + SEP.join([b"fail=maybe", b"-session [success=1 default=ignore]"
                                               b" pam_env.so [a b\\] c] user_readenv=1",
                                               b"::ffff:127.0.0.1", b"\x01", b"\x7f\x00\x00\x01",
                                               b"4294967296", b"session-.scope", b"a\nb\nc"]))


if __name__ == "__main__":
    proto()
    config()
    escape()
    export()
    report()
    pam()
