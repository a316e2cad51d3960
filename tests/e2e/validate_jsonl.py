#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Validate sshrec JSON-lines files against the JSON Schemas in schema/json.

Usage: validate_jsonl.py [--partial] SCHEMA_DIR FILE...

Every line must be valid UTF-8, one JSON object, and valid against the
schema of its "event" (schema/json/<event>.schema.json, which refers to
common.schema.json). Per session (sid) the ei values must be gapless and
unique, starting at 0 (--partial: starting anywhere, for a log whose older
part was rotated away). Files ending in .gz are decompressed. Prints a
summary and exits 1 on any failure, 2 on bad usage.

Test tool only; the product does not need it. Works with Debian 12's
python3-jsonschema (4.10, RefResolver) and with jsonschema >= 4.18 (the
`referencing` registry).
"""
import collections
import gzip
import json
import os
import sys

import jsonschema

MAX_ERRORS_SHOWN = 20


def make_validators(by_event, store):
    """One validator per event schema, "$ref"s resolved from @store by $id.

    jsonschema >= 4.18 resolves references with the `referencing` library
    (its RefResolver is deprecated and no longer consulted for every $ref);
    Debian 12's 4.10 has only RefResolver. Each schema's $id is absolute, so
    a relative "$ref" ("common.schema.json") resolves against it to a key
    of the same store either way.
    """
    cls = jsonschema.Draft202012Validator
    fmt = jsonschema.FormatChecker()
    try:
        import referencing  # jsonschema >= 4.18
        import referencing.jsonschema
    except ImportError:
        referencing = None
    if referencing is not None:
        registry = referencing.Registry().with_resources(
            (uri, referencing.Resource.from_contents(
                schema, default_specification=referencing.jsonschema.DRAFT202012))
            for uri, schema in store.items())
        return {event: cls(schema, registry=registry, format_checker=fmt)
                for event, schema in by_event.items()}
    return {event: cls(schema, format_checker=fmt,
                       resolver=jsonschema.RefResolver.from_schema(schema, store=store))
            for event, schema in by_event.items()}


def load_schemas(schema_dir):
    store, by_event = {}, {}
    for name in sorted(os.listdir(schema_dir)):
        if not name.endswith(".schema.json"):
            continue
        with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        store[schema["$id"]] = schema
        event = name[: -len(".schema.json")]
        if event != "common":
            by_event[event] = schema
    if not by_event:
        raise SystemExit(f"validate_jsonl: no *.schema.json in {schema_dir}")
    return make_validators(by_event, store)


def reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def unique_keys(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"duplicate key {k!r}")
        obj[k] = v
    return obj


def open_bytes(path):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def main(argv):
    partial = False
    args = argv[1:]
    if args and args[0] == "--partial":
        partial = True
        args = args[1:]
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    validators = load_schemas(args[0])
    errors = []
    lines = 0
    per_event = collections.Counter()
    eis = collections.defaultdict(list)

    def fail(where, msg):
        errors.append(f"{where}: {msg}")

    for path in args[1:]:
        with open_bytes(path) as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            fail(path, "last line has no newline (torn write?)")
        for no, raw in enumerate(data.splitlines(), 1):
            where = f"{path}:{no}"
            lines += 1
            try:
                text = raw.decode("utf-8", errors="strict")
            except UnicodeDecodeError as e:
                fail(where, f"not valid UTF-8: {e}")
                continue
            if "\r" in text:
                fail(where, "raw carriage return in a line")
            try:
                rec = json.loads(text, parse_constant=reject_constant,
                                 object_pairs_hook=unique_keys)
            except ValueError as e:
                fail(where, f"not valid JSON: {e}")
                continue
            if not isinstance(rec, dict):
                fail(where, "not a JSON object")
                continue
            event = rec.get("event")
            v = validators.get(event) if isinstance(event, str) else None
            if v is None:
                fail(where, f"unknown event {event!r}")
                continue
            per_event[event] += 1
            for err in sorted(v.iter_errors(rec), key=lambda e: list(e.path)):
                loc = "/".join(str(p) for p in err.absolute_path) or "(record)"
                fail(where, f"{event}: {loc}: {err.message}")
            sid, ei = rec.get("sid"), rec.get("ei")
            if isinstance(sid, str) and isinstance(ei, int):
                eis[sid].append((ei, where))

    for sid, seen in sorted(eis.items()):
        values = sorted(e for e, _ in seen)
        counts = collections.Counter(values)
        dups = sorted(e for e, n in counts.items() if n > 1)
        if dups:
            fail(f"sid {sid}", f"duplicate ei {dups[:10]}")
        start = values[0] if partial else 0
        missing = sorted(set(range(start, values[-1] + 1)) - set(values))
        if missing:
            fail(f"sid {sid}", f"ei not gapless from {start}: missing {missing[:10]}"
                 f"{' ...' if len(missing) > 10 else ''}")

    summary = ", ".join(f"{k} {n}" for k, n in sorted(per_event.items()))
    print(f"validate_jsonl: {lines} lines, {len(eis)} sessions ({summary or 'no records'}), "
          f"{len(errors)} errors")
    for e in errors[:MAX_ERRORS_SHOWN]:
        print(f"  {e}")
    if len(errors) > MAX_ERRORS_SHOWN:
        print(f"  ... and {len(errors) - MAX_ERRORS_SHOWN} more")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
