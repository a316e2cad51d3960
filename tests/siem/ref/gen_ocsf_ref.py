#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Compile the small OCSF reference the SIEM checks need from the schema source.

Usage: gen_ocsf_ref.py OCSF_SCHEMA_DIR VERSION COMMIT > ocsf-VERSION.json

OCSF_SCHEMA_DIR is a checkout of ocsf/ocsf-schema at tag vVERSION (COMMIT),
core schema only (no extensions). The source is resolved as the OCSF schema
server does it: a class is its category's base class (itself extending
base_event) plus its own attributes; "$include" brings in include and
profile files (an attribute that came from a profile keeps the profile's
name: it is valid in an event only when metadata.profiles declares it); an
object extends its parent object; every attribute takes its type, array-ness
and enum from dictionary.json, a class or object may add enum values and set
the requirement. Kept: the classes sshrec maps to and the objects it fills
(an object outside the list is then reported as not covered, the safe side).
Run by hand when the targeted OCSF version changes; the test only reads the
JSON it writes.
"""
import json
import os
import sys

CLASSES = {1001: "events/system/filesystem.json", 1007: "events/system/process.json",
           3002: "events/iam/authentication.json", 4001: "events/network/network_activity.json"}
OBJECTS = ("metadata", "product", "device", "actor", "user", "session", "process", "file",
           "network_endpoint", "network_connection_info", "service", "object")


def load(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return json.load(f)


def merge_attrs(dst, src, profile=None):
    for name, a in src.items():
        if name == "$include":
            continue
        cur = dict(dst.get(name, {}))
        for k, v in a.items():
            if k == "enum" and "enum" in cur:
                cur["enum"] = {**cur["enum"], **v}
            else:
                cur[k] = v
        if profile and "profile" not in cur:
            cur["profile"] = profile
        dst[name] = cur


def resolve(root, doc, lookup):
    """Attributes of a class or object: its parent's, its includes', its own."""
    attrs = {}
    parent = doc.get("extends")
    if parent:
        attrs.update({k: dict(v) for k, v in lookup(parent).items()})
    for inc in doc.get("attributes", {}).get("$include", []):
        idoc = load(root, inc)
        merge_attrs(attrs, idoc.get("attributes", {}),
                    idoc["name"] if idoc.get("meta") == "profile" else None)
    merge_attrs(attrs, doc.get("attributes", {}))
    return attrs


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = argv[1]
    dictionary = load(root, "dictionary.json")
    dattrs, dtypes = dictionary["attributes"], dictionary["types"]["attributes"]
    categories = load(root, "categories.json")["attributes"]

    objdocs = {}
    for name in os.listdir(os.path.join(root, "objects")):
        if name.endswith(".json"):
            d = load(root, os.path.join("objects", name))
            objdocs[d["name"]] = d
    objcache = {}

    def obj_attrs(name):
        if name not in objcache:
            objcache[name] = resolve(root, objdocs[name], obj_attrs)
        return objcache[name]

    eventdocs = {}
    for dirpath, _, files in os.walk(os.path.join(root, "events")):
        for fn in files:
            d = load(root, os.path.relpath(os.path.join(dirpath, fn), root))
            eventdocs[d["name"]] = d

    def event_attrs(name):
        return resolve(root, eventdocs[name], event_attrs)

    def compile_attr(name, a):
        d = {**dattrs.get(name, {}), **a}
        if "enum" in dattrs.get(name, {}) and "enum" in a:
            d["enum"] = {**dattrs[name]["enum"], **a["enum"]}
        t = d.get("type", "")
        out = {"type": t if t.endswith("_t") else "object_t",
               "requirement": d.get("requirement", "optional")}
        if not t.endswith("_t"):
            out["object"] = t
        if d.get("is_array"):
            out["array"] = True
        if d.get("profile"):
            out["profile"] = d["profile"]
        if "enum" in d:
            out["enum"] = {k: v.get("caption", "") for k, v in sorted(d["enum"].items(),
                                                                        key=lambda kv: int(kv[0]))}
        if d.get("sibling"):
            out["sibling"] = d["sibling"]
        return out

    classes = {}
    for uid, rel in CLASSES.items():
        doc = load(root, rel)
        attrs = event_attrs(doc["name"])
        cat = categories[doc.get("category") or eventdocs[doc["extends"]]["category"]]
        assert cat["uid"] * 1000 + doc["uid"] == uid, (rel, cat["uid"], doc["uid"])
        compiled = {n: compile_attr(n, a) for n, a in sorted(attrs.items())}
        # as the schema server does: the class's own uid, category and types
        compiled["class_uid"]["enum"] = {str(uid): doc["caption"]}
        compiled["category_uid"]["enum"] = {str(cat["uid"]): cat["caption"]}
        compiled["type_uid"]["enum"] = {
            str(uid * 100 + int(k)): f"{doc['caption']}: {c}"
            for k, c in compiled["activity_id"]["enum"].items()}
        classes[str(uid)] = {"name": doc["caption"], "category_uid": cat["uid"],
                             "category_name": cat["caption"], "attributes": compiled}
    objects = {}
    for name in OBJECTS:
        objects[name] = {"attributes": {n: compile_attr(n, a)
                                        for n, a in sorted(obj_attrs(name).items())}}
        objects[name]["constraints"] = objdocs[name].get("constraints", {})
    types = {n: {k: v for k, v in t.items() if k in ("type", "range", "regex", "max_len")}
             for n, t in sorted(dtypes.items())}
    out = {"_source": f"ocsf/ocsf-schema, tag v{argv[2]}, commit {argv[3]} (core, no extensions)",
           "_generated_by": "tests/siem/ref/gen_ocsf_ref.py",
           "version": argv[2], "classes": classes, "objects": objects, "types": types}
    json.dump(out, sys.stdout, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
