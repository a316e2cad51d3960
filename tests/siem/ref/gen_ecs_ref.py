#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Extract the small ECS reference the SIEM checks need from ecs_flat.yml.

Usage: gen_ecs_ref.py ECS_FLAT_YML VERSION COMMIT > ecs-VERSION.json

ECS_FLAT_YML is generated/ecs/ecs_flat.yml of elastic/ecs at tag vVERSION
(COMMIT). Kept: every field of the field sets sshrec's ECS documents use
(name, type, whether it is an array), the allowed values of the
categorization fields, and which event.type values each event.category
expects. Run by hand when the targeted ECS version changes; the test only
reads the JSON it writes.
"""
import json
import sys

import yaml

FIELD_SETS = ("@timestamp", "ecs", "event", "host", "user", "related", "process", "file",
              "source", "destination", "network", "rule")
# Nested sets sshrec never fills (executable formats, hashes, signatures,
# other leaders, geo data): left out to keep the reference small. A field
# under one of them is then reported as unknown, which is the safe side.
SKIP = ("elf.", "pe.", "macho.", "code_signature.", "hash.", "x509.", "group_leader.",
        "session_leader.", "previous.", "thread.", "io.", "tty.", "geo.", "as.",
        "attested_", "nat.", "vlan.", "inner.", "os.", "risk.", "target.", "endpoint_security_")


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        flat = yaml.safe_load(f)
    fields = {}
    for name, d in sorted(flat.items()):
        if name.split(".")[0] not in FIELD_SETS or any(f".{k}" in name for k in SKIP):
            continue
        fields[name] = [d["type"], 1 if "array" in (d.get("normalize") or []) else 0]
    allowed = {}
    expected = {}
    for name in ("event.kind", "event.category", "event.type", "event.outcome"):
        vals = flat[name].get("allowed_values") or []
        allowed[name] = sorted(v["name"] for v in vals)
        if name == "event.category":
            expected = {v["name"]: sorted(v.get("expected_event_types") or []) for v in vals}
    out = {
        "_source": f"elastic/ecs generated/ecs/ecs_flat.yml, tag v{argv[2]}, commit {argv[3]}",
        "_generated_by": "tests/siem/ref/gen_ecs_ref.py",
        "version": argv[2],
        "field_sets": list(FIELD_SETS),
        "fields": fields,
        "allowed_values": allowed,
        "expected_event_types": expected,
    }
    json.dump(out, sys.stdout, indent=0, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
