#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check sshrec records against the published references, field by field.

Usage: check_siem.py native|ecs|ocsf REF_DIR FILE...
       check_siem.py --self-test REF_DIR

native: each record against Teleport's event proto and codes
        (REF_DIR/teleport-events.json): the fields Teleport defines have its
        JSON type, enum numbers and host:port form, those it always writes
        are present, the code is Teleport's.
ecs:    each document against ECS (REF_DIR/ecs-*.json): ecs.version is the
        reference's, every field outside sshrec.* is an ECS field of its type
        (arrays only where ECS normalizes to arrays), the categorization
        values are allowed and each event.type is expected for the category;
        every sshrec.* field is documented, with its type, in the table of
        schema/RECORDS.md (REF_DIR/../../schema/RECORDS.md).
ocsf:   each event against OCSF (REF_DIR/ocsf-*.json): the class and its
        category, type_uid, every attribute defined in the class or object
        (profile attributes only with the profile in metadata.profiles), its
        type, enum value and the caption of its sibling, every required
        attribute present, object constraints (at_least_one, just_one).

All three: one field name has one JSON type in every record of every kind
(null aside: a field may be null), as one SIEM index maps it once; numbers
are one type, integer or not.

Prints each violation and a summary; exits 1 on any, 2 on bad usage. Test
tool, written for this project; reads only the small reference files.
"""
import collections
import ipaddress
import json
import os
import re
import sys

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
INT_RANGE = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1),
             "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1)}


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_ip(v):
    try:
        ipaddress.ip_address(v)
        return True
    except (ValueError, TypeError):
        return False


def load_ref(ref_dir, prefix):
    names = sorted(n for n in os.listdir(ref_dir) if n.startswith(prefix) and n.endswith(".json"))
    if len(names) != 1:
        raise SystemExit(f"check_siem: expected one {prefix}*.json in {ref_dir}, found {names}")
    with open(os.path.join(ref_dir, names[0]), encoding="utf-8") as f:
        return json.load(f)


# ---- native vs Teleport -----------------------------------------------------

def teleport_type_ok(t, v, enums):
    if t == "string":
        return isinstance(v, str)
    if t == "bool":
        return isinstance(v, bool)
    if t in INT_RANGE:
        lo, hi = INT_RANGE[t]
        return is_int(v) and lo <= v <= hi
    if t == "timestamp":
        return isinstance(v, str) and bool(RFC3339.match(v))
    if t == "repeated string":
        return isinstance(v, list) and all(isinstance(e, str) for e in v)
    if t.startswith("enum "):
        return is_int(v) and v in enums[t[5:]].values()
    if t == "hostport":
        if not isinstance(v, str) or ":" not in v:
            return False
        host, _, port = v.rpartition(":")
        if not port.isdigit() or int(port) > 65535:
            return False
        if host.startswith("[") and host.endswith("]"):
            return ":" in host  # brackets only around an IPv6 address
        return ":" not in host  # Go's JoinHostPort brackets every host with a colon
    raise SystemExit(f"check_siem: unknown Teleport type {t}")


# Values sshrec adds to Teleport's enums, each documented in schema/RECORDS.md:
# nothing else outside Teleport's own values passes.
SSHREC_ENUM_EXT = {"NetworkOperation": {"ACCEPT (sshrec: inbound TCP)": 2}}
# Fields sshrec writes as null where Teleport has a number: a result that was
# not observed (a file change recorded at a security hook, before it is made;
# an io_uring op submitted without a completion) is null, never a guessed 0
# (schema/RECORDS.md). protojson reads a null scalar as the field's default.
SSHREC_NULL_EXT = {("session.disk", "return_code")}


def check_native(rec, ref, bad):
    ev = rec.get("event")
    spec = ref["events"].get(ev)
    if spec is None:
        return  # an sshrec extension (process_exit, data_loss, escape): no Teleport message
    if rec.get("code") != spec["code"]:
        bad(f"{ev}: code {rec.get('code')!r}, Teleport's codes.go has {spec['code']}")
    fields = dict(spec["fields"])
    for emb in spec["embeds"]:
        fields.update(ref["embedded"][emb])
    for name, (t, omitempty) in sorted(fields.items()):
        if name not in rec:
            if not omitempty:
                bad(f"{ev}: {name} missing ({spec['message']} always writes it)")
            continue
        if rec[name] is None and (ev, name) in SSHREC_NULL_EXT:
            continue
        enums = {k: {**v, **SSHREC_ENUM_EXT.get(k, {})} for k, v in ref["enums"].items()}
        if not teleport_type_ok(t, rec[name], enums):
            bad(f"{ev}: {name} = {json.dumps(rec[name])[:80]} is not {t} "
                f"({spec['message']})")


# ---- ECS --------------------------------------------------------------------

def flatten(doc, prefix=""):
    """(dotted name, value) of every leaf; objects are descended into."""
    for k, v in doc.items():
        name = prefix + k
        if isinstance(v, dict):
            yield from flatten(v, name + ".")
        else:
            yield name, v


ECS_KINDS = {
    "keyword": lambda v: isinstance(v, str), "wildcard": lambda v: isinstance(v, str),
    "match_only_text": lambda v: isinstance(v, str), "text": lambda v: isinstance(v, str),
    "constant_keyword": lambda v: isinstance(v, str),
    "long": is_int, "integer": is_int, "short": is_int, "byte": is_int,
    "unsigned_long": lambda v: is_int(v) and v >= 0,
    "float": lambda v: is_int(v) or isinstance(v, float),
    "double": lambda v: is_int(v) or isinstance(v, float),
    "scaled_float": lambda v: is_int(v) or isinstance(v, float),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, str) and bool(RFC3339.match(v)),
    "ip": is_ip,
}
JSON_TYPES = {"keyword": lambda v: isinstance(v, str), "long": is_int,
              "boolean": lambda v: isinstance(v, bool)}


def records_md_sshrec_fields(path):
    """The ECS sshrec.* table of RECORDS.md: field -> type."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\| `(sshrec\.[a-z_0-9]+)` \| (keyword|long|boolean) \|", line)
            if m:
                out[m.group(1)] = m.group(2)
    return out


def check_ecs(doc, ref, documented, bad):
    fields = ref["fields"]
    for name, v in flatten(doc):
        if name.startswith("sshrec."):
            t = documented.get(name)
            if t is None:
                bad(f"{name}: not documented in RECORDS.md's sshrec.* table")
            elif not JSON_TYPES[t](v):
                bad(f"{name} = {json.dumps(v)[:60]}: documented as {t}")
            continue
        spec = fields.get(name)
        if spec is None:
            bad(f"{name}: not a field of ECS {ref['version']}" +
                ("" if name.split(".")[0] in ref["field_sets"] else " (field set not covered)"))
            continue
        etype, is_array = spec
        vals = v if isinstance(v, list) else [v]
        if isinstance(v, list) and not is_array:
            bad(f"{name}: an array, ECS {ref['version']} has one {etype}")
        if is_array and not isinstance(v, list):
            bad(f"{name}: ECS normalizes it to an array")
        check = ECS_KINDS.get(etype)
        if check is None:
            bad(f"{name}: ECS type {etype} not handled by the checker")
            continue
        for e in vals:
            if not check(e):
                bad(f"{name} = {json.dumps(e)[:60]} is not an ECS {etype}")
    if doc.get("ecs", {}).get("version") != ref["version"]:
        bad(f"ecs.version {doc.get('ecs', {}).get('version')!r}, checked against {ref['version']}")
    ev = doc.get("event", {})
    for key in ("kind", "category", "type", "outcome"):
        v = ev.get(key)
        if v is None:
            continue
        for e in v if isinstance(v, list) else [v]:
            if e not in ref["allowed_values"][f"event.{key}"]:
                bad(f"event.{key}: {e!r} is not an allowed value")
    cats = ev.get("category", [])
    for t in ev.get("type", []):
        if cats and not any(t in ref["expected_event_types"].get(c, []) for c in cats):
            bad(f"event.type {t!r} is expected for none of event.category {cats}")


# ---- OCSF -------------------------------------------------------------------

def ocsf_base(types, t):
    while t in types and types[t].get("type"):
        nt = types[t]["type"]
        if nt == t:
            break
        t = nt
    return t


def ocsf_scalar_ok(types, t, v):
    base = ocsf_base(types, t)
    if base in ("string_t",):
        ok = isinstance(v, str)
    elif base in ("integer_t", "long_t"):
        ok = is_int(v)
    elif base == "float_t":
        ok = is_int(v) or isinstance(v, float)
    elif base == "boolean_t":
        ok = isinstance(v, bool)
    elif base == "json_t":
        ok = True
    else:
        raise SystemExit(f"check_siem: OCSF base type {base} of {t} not handled")
    rng = types.get(t, {}).get("range")
    if ok and rng and not rng[0] <= v <= rng[1]:
        return False
    if ok and t == "ip_t":
        return is_ip(v)
    return ok


def check_ocsf_attrs(obj, attrs, ref, profiles, where, bad, constraints=None):
    for name, v in obj.items():
        a = attrs.get(name)
        if a is None:
            bad(f"{where}{name}: not an attribute of it in OCSF {ref['version']}")
            continue
        if a.get("profile") and a["profile"] not in profiles:
            bad(f"{where}{name}: comes with the {a['profile']} profile, "
                f"which metadata.profiles does not declare")
        vals = v if a.get("array") else [v]
        if a.get("array") and not isinstance(v, list):
            bad(f"{where}{name}: an array in OCSF")
            continue
        for e in vals:
            if a["type"] == "object_t":
                check_ocsf_object(e, a["object"], ref, profiles, f"{where}{name}.", bad)
            elif not ocsf_scalar_ok(ref["types"], a["type"], e):
                bad(f"{where}{name} = {json.dumps(e)[:60]} is not {a['type']}")
            elif "enum" in a and str(e) not in a["enum"]:
                bad(f"{where}{name} = {e}: not one of its enum values {sorted(a['enum'])}")
            elif "enum" in a and a.get("sibling") in obj and e != 99 and \
                    obj[a["sibling"]] != a["enum"][str(e)]:
                bad(f"{where}{a['sibling']} = {obj[a['sibling']]!r}, the caption of "
                    f"{name} {e} is {a['enum'][str(e)]!r}")
    for name, a in attrs.items():
        if a["requirement"] == "required" and name not in obj and \
                (not a.get("profile") or a["profile"] in profiles):
            bad(f"{where}{name}: required, missing")
    for kind, names in (constraints or {}).items():
        n = sum(1 for x in names if x in obj)
        if (kind == "at_least_one" and n < 1) or (kind == "just_one" and n != 1):
            bad(f"{where}(object): constraint {kind} of {names} not met")


def check_ocsf_object(v, oname, ref, profiles, where, bad):
    if oname == "object":
        if not isinstance(v, dict):
            bad(f"{where[:-1]}: not an object")
        return
    spec = ref["objects"].get(oname)
    if spec is None:
        bad(f"{where[:-1]}: object {oname} not covered by the reference")
        return
    if not isinstance(v, dict):
        bad(f"{where[:-1]}: not an object")
        return
    check_ocsf_attrs(v, spec["attributes"], ref, profiles, where, bad, spec.get("constraints"))


def check_ocsf(ev, ref, bad):
    cls = ref["classes"].get(str(ev.get("class_uid")))
    if cls is None:
        bad(f"class_uid {ev.get('class_uid')!r}: not one of the reference's classes")
        return
    profiles = ev.get("metadata", {}).get("profiles", [])
    if ev.get("category_uid") != cls["category_uid"]:
        bad(f"category_uid {ev.get('category_uid')} for class {ev['class_uid']}")
    if ev.get("class_name") != cls["name"] or ev.get("category_name") != cls["category_name"]:
        bad(f"class_name/category_name {ev.get('class_name')!r}/{ev.get('category_name')!r}")
    if is_int(ev.get("activity_id")) and ev.get("type_uid") != ev["class_uid"] * 100 + ev["activity_id"]:
        bad(f"type_uid {ev.get('type_uid')} is not class_uid * 100 + activity_id")
    if ev.get("metadata", {}).get("version") != ref["version"]:
        bad(f"metadata.version {ev.get('metadata', {}).get('version')!r}")
    check_ocsf_attrs(ev, cls["attributes"], ref, profiles, "", bad)


# ---- one field, one type -----------------------------------------------------

def json_kind(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(v)]


def field_kinds(v, name=""):
    """(name, JSON type) of every member at any depth; array elements as NAME[]."""
    if isinstance(v, dict):
        for k, x in v.items():
            n = name + "." + k if name else k
            yield n, json_kind(x)
            yield from field_kinds(x, n)
    elif isinstance(v, list):
        for x in v:
            yield name + "[]", json_kind(x)
            yield from field_kinds(x, name + "[]")


def check_one_type(doc, label, types, bad, where):
    for name, t in field_kinds(doc):
        if t is None:
            continue
        first = types.setdefault(name, (t, label, where))
        if first[0] != t:
            bad(f"{name} is a JSON {t} in {label}, a {first[0]} in {first[1]} ({first[2]}): "
                "one field name must have one type across record kinds")


# ---- driver -----------------------------------------------------------------

def check_file(kind, ref, documented, path, errors, counts, types):
    with open(path, "rb") as f:
        data = f.read()
    for no, raw in enumerate(data.splitlines(), 1):
        where = f"{path}:{no}"
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            errors.append(f"{where}: not a JSON line: {e}")
            continue
        if not isinstance(doc, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        label = (doc.get("event") if kind == "native" else
                 doc.get("event", {}).get("action") if kind == "ecs" else
                 doc.get("class_uid"))
        counts[label] += 1

        def bad(msg, where=where):
            errors.append(f"{where}: {msg}")
        check_one_type(doc, label, types, bad, where)
        if kind == "native":
            check_native(doc, ref, bad)
        elif kind == "ecs":
            check_ecs(doc, ref, documented, bad)
        else:
            check_ocsf(doc, ref, bad)


def run(kind, ref_dir, files):
    ref = load_ref(ref_dir, {"native": "teleport-", "ecs": "ecs-", "ocsf": "ocsf-"}[kind])
    documented = records_md_sshrec_fields(
        os.path.join(ref_dir, "..", "..", "..", "schema", "RECORDS.md")) if kind == "ecs" else {}
    errors, counts, types = [], collections.Counter(), {}
    for path in files:
        check_file(kind, ref, documented, path, errors, counts, types)
    return errors, counts


def main(argv):
    if len(argv) < 3 or argv[1] not in ("native", "ecs", "ocsf"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    errors, counts = run(argv[1], argv[2], argv[3:])
    total = sum(counts.values())
    summary = ", ".join(f"{k} {n}" for k, n in sorted(counts.items(), key=str))
    print(f"check_siem {argv[1]}: {total} records ({summary or 'none'}), "
          f"{len(errors)} violations")
    for e in errors[:30]:
        print(f"  {e}")
    if len(errors) > 30:
        print(f"  ... and {len(errors) - 30} more")
    return 1 if errors or not total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
