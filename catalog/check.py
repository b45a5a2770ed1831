#!/usr/bin/env python3
"""Validates a Turnpike catalog file (default: catalog/default.toml next to this script).

Usage: python3 catalog/check.py [FILE]

Checks that the file parses as TOML and follows the format described in catalog/README.md:
plain ASCII, known keys only, every price a decimal string with at most 6 decimals, unique ids, every model's
company and every endpoint's provider defined, sane integers and dates. Prints one line per
problem and exits 1 if there is any; prints a short summary and exits 0 otherwise.
Python 3.11+ standard library only.
"""

import datetime
import pathlib
import re
import sys
import tomllib

PRICE_RE = re.compile(r"^\d+(\.\d{1,6})?$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
ENV_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ADAPTERS = {"openai", "anthropic", "gemini"}
MODALITIES = {"text", "image", "file", "audio", "video"}

TOP_KEYS = {"version", "companies", "providers", "models"}
COMPANY_KEYS = {"id", "name"}
PROVIDER_REQUIRED = {"id", "name", "adapter", "base_url", "key_env", "base_url_env"}
PROVIDER_KEYS = PROVIDER_REQUIRED | {"enabled"}
MODEL_REQUIRED = {"id", "company", "name", "description", "context_length", "max_output",
                  "created", "input_modalities", "output_modalities", "source", "endpoints"}
MODEL_KEYS = MODEL_REQUIRED
ENDPOINT_REQUIRED = {"provider", "upstream_model", "input", "output", "supported_parameters"}
ENDPOINT_KEYS = ENDPOINT_REQUIRED | {"cache_read", "cache_write", "context_length", "max_output",
                                     "enabled"}


def check(path):
    errors = []

    def err(where, msg):
        errors.append(f"{where}: {msg}")

    try:
        raw = pathlib.Path(path).read_bytes()
        doc = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        return [f"{path}: cannot parse: {e}"], {}
    # cmake/embed.cmake emits the bytes into a `char` array initializer, where a byte >= 0x80
    # is a narrowing error, so the shipped file must be plain ASCII.
    for lineno, line in enumerate(raw.split(b"\n"), 1):
        if any(b >= 0x80 for b in line):
            err(f"line {lineno}", "non-ASCII byte (the embedded catalog must be ASCII)")

    for k in doc.keys() - TOP_KEYS:
        err("top level", f"unknown key {k!r}")
    if doc.get("version") != 1:
        err("top level", f"version must be 1, got {doc.get('version')!r}")

    def unknown_and_missing(where, table, allowed, required):
        for k in table.keys() - allowed:
            err(where, f"unknown key {k!r}")
        for k in required - table.keys():
            err(where, f"missing key {k!r}")

    def nonempty_str(where, table, key):
        v = table.get(key)
        if not isinstance(v, str) or not v.strip():
            err(where, f"{key} must be a non-empty string")
            return None
        return v

    def pos_int(where, table, key, required=True):
        if key not in table:
            if required:
                err(where, f"missing {key}")
            return None
        v = table[key]
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            err(where, f"{key} must be a positive integer, got {v!r}")
            return None
        return v

    def price(where, table, key, required):
        if key not in table:
            if required:
                err(where, f"missing price {key}")
            return
        v = table[key]
        if not isinstance(v, str):
            err(where, f"price {key} must be a string like \"0.15\", got {v!r}")
        elif not PRICE_RE.match(v):
            err(where, f"price {key}={v!r} must match {PRICE_RE.pattern}")

    # companies
    companies = set()
    for i, c in enumerate(doc.get("companies", [])):
        where = f"companies[{i}]"
        unknown_and_missing(where, c, COMPANY_KEYS, COMPANY_KEYS)
        cid = nonempty_str(where, c, "id")
        nonempty_str(where, c, "name")
        if cid is None:
            continue
        if not SLUG_RE.match(cid):
            err(where, f"id {cid!r} is not a lower-case slug")
        if cid in companies:
            err(where, f"duplicate company id {cid!r}")
        companies.add(cid)

    # providers
    providers = set()
    for i, p in enumerate(doc.get("providers", [])):
        where = f"providers[{i}]"
        unknown_and_missing(where, p, PROVIDER_KEYS, PROVIDER_REQUIRED)
        if "enabled" in p and not isinstance(p["enabled"], bool):
            err(where, "enabled must be true or false")
        pid = nonempty_str(where, p, "id")
        nonempty_str(where, p, "name")
        if p.get("adapter") not in ADAPTERS:
            err(where, f"adapter must be one of {sorted(ADAPTERS)}, got {p.get('adapter')!r}")
        url = nonempty_str(where, p, "base_url")
        if url is not None and (not url.startswith("https://") or url.endswith("/")):
            err(where, f"base_url {url!r} must start with https:// and have no trailing slash")
        for key in ("key_env", "base_url_env"):
            v = p.get(key)
            if not isinstance(v, str) or not ENV_RE.match(v):
                err(where, f"{key} must be an upper-case environment variable name, got {v!r}")
        if pid is None:
            continue
        if not SLUG_RE.match(pid):
            err(where, f"id {pid!r} is not a lower-case slug")
        if pid in providers:
            err(where, f"duplicate provider id {pid!r}")
        providers.add(pid)

    # models
    model_ids = set()
    n_endpoints = 0
    for i, m in enumerate(doc.get("models", [])):
        mid = m.get("id")
        where = f"models[{i}] ({mid})"
        unknown_and_missing(where, m, MODEL_KEYS, MODEL_REQUIRED)
        mid = nonempty_str(where, m, "id")
        company = nonempty_str(where, m, "company")
        for key in ("name", "description", "source"):
            nonempty_str(where, m, key)
        if mid is not None:
            if mid in model_ids:
                err(where, f"duplicate model id {mid!r}")
            model_ids.add(mid)
            prefix, slash, rest = mid.partition("/")
            if not slash or not rest or "/" in rest:
                err(where, "id must be company/model-name")
            elif company is not None and prefix != company:
                err(where, f"id prefix {prefix!r} differs from company {company!r}")
            if mid != mid.lower():
                err(where, "id must be lower-case")
        if company is not None and company not in companies:
            err(where, f"company {company!r} is not defined in [[companies]]")
        ctx = pos_int(where, m, "context_length")
        mout = pos_int(where, m, "max_output")
        if ctx and mout and mout > ctx:
            err(where, f"max_output {mout} exceeds context_length {ctx}")
        created = m.get("created")
        if not isinstance(created, str) or not DATE_RE.match(created):
            err(where, f"created must be a \"YYYY-MM-DD\" string, got {created!r}")
        else:
            try:
                datetime.date.fromisoformat(created)
            except ValueError:
                err(where, f"created {created!r} is not a real date")
        for key in ("input_modalities", "output_modalities"):
            v = m.get(key)
            if not isinstance(v, list) or not v or any(x not in MODALITIES for x in v):
                err(where, f"{key} must be a non-empty list drawn from {sorted(MODALITIES)}")
        endpoints = m.get("endpoints")
        if not isinstance(endpoints, list) or not endpoints:
            err(where, "needs at least one [[models.endpoints]]")
            continue
        seen = set()
        for j, e in enumerate(endpoints):
            ewhere = f"{where} endpoints[{j}] ({e.get('provider')})"
            n_endpoints += 1
            unknown_and_missing(ewhere, e, ENDPOINT_KEYS, ENDPOINT_REQUIRED)
            if "enabled" in e and not isinstance(e["enabled"], bool):
                err(ewhere, "enabled must be true or false")
            prov = nonempty_str(ewhere, e, "provider")
            up = nonempty_str(ewhere, e, "upstream_model")
            if prov is not None and prov not in providers:
                err(ewhere, f"provider {prov!r} is not defined in [[providers]]")
            if (prov, up) in seen:
                err(ewhere, f"duplicate endpoint {prov}/{up}")
            seen.add((prov, up))
            price(ewhere, e, "input", True)
            price(ewhere, e, "output", True)
            price(ewhere, e, "cache_read", False)
            price(ewhere, e, "cache_write", False)
            ectx = pos_int(ewhere, e, "context_length", required=False) or ctx
            eout = pos_int(ewhere, e, "max_output", required=False) or mout
            if ectx and eout and eout > ectx:
                err(ewhere, f"max_output {eout} exceeds context_length {ectx}")
            sp = e.get("supported_parameters")
            if not isinstance(sp, list) or not sp or not all(isinstance(x, str) and x for x in sp):
                err(ewhere, "supported_parameters must be a non-empty list of strings")
            elif len(set(sp)) != len(sp):
                err(ewhere, "supported_parameters has duplicates")

    stats = {"companies": len(companies), "providers": len(providers),
             "models": len(model_ids), "endpoints": n_endpoints}
    return errors, stats


def main():
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else \
        pathlib.Path(__file__).resolve().parent / "default.toml"
    errors, stats = check(path)
    for e in errors:
        print(e)
    if errors:
        print(f"{path}: {len(errors)} problem(s)")
        return 1
    print(f"{path}: OK ({stats['companies']} companies, {stats['providers']} providers, "
          f"{stats['models']} models, {stats['endpoints']} endpoints)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
