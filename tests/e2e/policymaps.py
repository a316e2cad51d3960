#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Print sshrecd's pinned policy maps (bpf/policy.h layout) one entry a line.

Usage: policymaps.py PIN_DIR sess|rules

  sess   "SESSION_KEY RULESET MODE ACTIONS" (mode: audit|on; actions: exec,connect,write)
  rules  "MAP RULESET PATTERN | RULE", MAP exec|write|net, PATTERN the stored key:
         a path ("/etc/ssh/" prefix, "/etc/sudoers$" exact: with its NUL) or
         "ADDR/LEN port P" for the net map

Reads the maps through bpftool (JSON, raw bytes). Test tool only.
"""
import ipaddress
import json
import struct
import subprocess
import sys

MODES = {1: "audit", 2: "on"}
ACTIONS = ["exec", "connect", "write"]


def dump(path):
    out = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", path], check=True,
                         capture_output=True, text=True).stdout
    for e in json.loads(out):
        yield bytes(int(b, 16) for b in e["key"]), bytes(int(b, 16) for b in e["value"])


def rule_text(val):
    n = struct.unpack_from("<I", val)[0]
    return val[8:8 + n - 1].decode("utf-8", "replace")


def main(argv):
    if len(argv) != 3 or argv[2] not in ("sess", "rules"):
        print(__doc__, file=sys.stderr)
        return 2
    pin = argv[1]
    if argv[2] == "sess":
        for k, v in dump(pin + "/policy_sess"):
            key = struct.unpack_from("<Q", k)[0]
            rs, mode, acts = struct.unpack_from("<IBB", v)
            names = ",".join(a for i, a in enumerate(ACTIONS) if acts & (1 << i))
            print(f"{key} {rs} {MODES.get(mode, mode)} {names}")
        return 0
    for name in ("exec", "write"):
        for k, v in dump(f"{pin}/policy_{name}"):
            plen, rs = struct.unpack_from("<II", k)
            n = (plen - 32) // 8
            p = k[8:8 + n]
            pat = p[:-1].decode() + "$" if p.endswith(b"\0") else p.decode()
            print(f"{name} {rs} {pat} | {rule_text(v)}")
    for k, v in dump(pin + "/policy_net"):
        plen, rs, port, fam = struct.unpack_from("<IIHB", k)
        raw = k[12:28] if fam == 6 else k[12:16]
        addr = ipaddress.ip_address(raw)
        print(f"net {rs} {addr}/{plen - 64} port {port} | {rule_text(v)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
