#!/usr/bin/env python3
"""Provision Metabase for the CCHC warehouse: first-run setup, the warehouse as a database seen
through the read-only `bi_reader` role (schema `marts` only), the questions (native SQL kept in
queries/*.sql) and the dashboard described by dashboard.json.

Idempotent: a rerun finds what it made by name and updates it in place. Standard library only, so
it runs in a plain Python image as the one-shot compose service `metabase-provision`; the tests
import it to read the same dashboard description (tests/unit/test_docker_compose.py,
tests/integration/test_bi_dashboard.py).

Environment (defaults are for the local compose stack only):
  MB_URL                    Metabase base URL                       http://metabase:3000
  MB_ADMIN_EMAIL            first admin's e-mail                    (required)
  MB_ADMIN_PASSWORD         first admin's password                  (required)
  MB_SITE_NAME              site name shown by Metabase             CCHC
  MB_WAIT_SECONDS           how long to wait for Metabase to answer 600
  CCHC_WAREHOUSE_HOST/PORT/DB   the warehouse as Metabase reaches it  postgres / 5432 / cchc
  CCHC_BI_PASSWORD          bi_reader's password (set by the warehouse bootstrap)  (required)
  PROVISIONED_MARKER        file written on success (the service's healthcheck)
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

log = logging.getLogger("provision")

HERE = Path(__file__).resolve().parent
DASHBOARD_SPEC = HERE / "dashboard.json"
BI_ROLE = "bi_reader"  # sql/90_roles.sql: reads marts and nothing else
GRID_WIDTH = 24  # Metabase's dashboard grid
TAG = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# a stable namespace so template-tag ids do not change between runs
TAG_NAMESPACE = uuid.UUID("3f0d8a52-6c1e-4c59-9a57-0c6c5c1f2a11")


class ProvisionError(Exception):
    pass


# --- the dashboard description (shared with the tests) -------------------------------------------


def template_tags(sql: str) -> list[str]:
    """Names of the Metabase variables ({{name}}) in a query, in order of first use."""
    seen: list[str] = []
    for name in TAG.findall(sql):
        if name not in seen:
            seen.append(name)
    return seen


def load_dashboard(path: Path = DASHBOARD_SPEC) -> dict:
    """dashboard.json with each card's SQL read from its file (card["sql"]); checked."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    for card in spec["cards"]:
        query = path.parent / card["query"]
        if not query.is_file():
            raise ProvisionError(f"card {card['key']}: query file {card['query']} is missing")
        card["sql"] = query.read_text(encoding="utf-8")
    problems = check(spec)
    if problems:
        raise ProvisionError("dashboard.json: " + "; ".join(problems))
    return spec


def check(spec: dict) -> list[str]:
    """What is wrong with a loaded dashboard description (empty when nothing is)."""
    problems = []
    params = {p["id"]: p for p in spec["parameters"]}
    for p in spec["parameters"]:
        if p["default"] not in p["values"]:
            problems.append(
                f"parameter {p['id']}: default {p['default']!r} is not one of its values"
            )
    keys = [c["key"] for c in spec["cards"]]
    if len(set(keys)) != len(keys):
        problems.append("card keys repeat")
    names = [c["name"] for c in spec["cards"]]
    if len(set(names)) != len(names):
        problems.append("card names repeat (cards are found again by name)")
    for card in spec["cards"]:
        for tag in template_tags(card["sql"]):
            if tag not in params:
                problems.append(
                    f"card {card['key']}: variable {{{{{tag}}}}} is no dashboard parameter"
                )
        settings = card.get("visualization_settings", {})
        for setting in ("graph.dimensions", "graph.metrics"):
            for column in settings.get(setting, []):
                if column not in card["columns"]:
                    problems.append(f"card {card['key']}: {setting} names {column!r}, not a column")
        lay = card["layout"]
        if lay["col"] < 0 or lay["col"] + lay["size_x"] > GRID_WIDTH:
            problems.append(f"card {card['key']}: layout leaves the {GRID_WIDTH}-column grid")
    return problems


# --- Metabase's REST API ---------------------------------------------------------------------------


class Metabase:
    def __init__(self, url: str, timeout: float = 60) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session: str | None = None

    def call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.session:
            request.add_header("X-Metabase-Session", self.session)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise ProvisionError(f"{method} {path}: HTTP {exc.code}: {detail}") from None
        return json.loads(text) if text.strip() else None

    def wait(self, seconds: float) -> None:
        """Until /api/health says ok (Metabase migrates its own database on first start)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                if (self.call("GET", "/api/health") or {}).get("status") == "ok":
                    return
            except (OSError, ProvisionError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise ProvisionError(
                    f"Metabase at {self.url} did not become healthy in {seconds:.0f} s"
                )
            time.sleep(5)

    def sign_in(self, email: str, password: str, site_name: str) -> None:
        """First-run setup when Metabase has no user yet, else a session for the admin."""
        props = self.call("GET", "/api/session/properties") or {}
        token = props.get("setup-token")
        if token and not props.get("has-user-setup"):
            log.info("first-run setup: admin %s", email)
            answer = self.call(
                "POST",
                "/api/setup",
                {
                    "token": token,
                    "user": {
                        "email": email,
                        "password": password,
                        "first_name": "CCHC",
                        "last_name": "Admin",
                        "site_name": site_name,
                    },
                    "prefs": {"site_name": site_name, "site_locale": "en", "allow_tracking": False},
                },
            )
        else:
            answer = self.call("POST", "/api/session", {"username": email, "password": password})
        self.session = answer["id"]


def _listing(answer) -> list[dict]:
    """Metabase lists are plain arrays or {"data": [...]} depending on the endpoint."""
    if isinstance(answer, dict):
        answer = answer.get("data", [])
    return list(answer or [])


def _find(items: list[dict], name: str) -> dict | None:
    for item in items:
        if item.get("name") == name and not item.get("archived"):
            return item
    return None


def ensure_database(
    mb: Metabase, spec: dict, host: str, port: int, dbname: str, password: str
) -> int:
    """The warehouse as Metabase sees it: the bi_reader role, schema marts only."""
    name = spec["database"]["name"]
    body = {
        "engine": "postgres",
        "name": name,
        "details": {
            "host": host,
            "port": port,
            "dbname": dbname,
            "user": BI_ROLE,
            "password": password,
            "ssl": False,
            "schema-filters-type": "inclusion",
            "schema-filters-patterns": spec["database"]["schema"],
            "tunnel-enabled": False,
            "advanced-options": False,
        },
        "is_full_sync": True,
        "auto_run_queries": True,
    }
    existing = _find(_listing(mb.call("GET", "/api/database")), name)
    if existing:
        mb.call("PUT", f"/api/database/{existing['id']}", body)
        db_id = existing["id"]
        log.info("database %r updated (id %s)", name, db_id)
    else:
        db_id = mb.call("POST", "/api/database", body)["id"]
        log.info("database %r added (id %s) as %s", name, db_id, BI_ROLE)
    mb.call("POST", f"/api/database/{db_id}/sync_schema")
    return db_id


def card_body(card: dict, spec: dict, db_id: int) -> dict:
    params = {p["id"]: p for p in spec["parameters"]}
    tags = {}
    for name in template_tags(card["sql"]):
        p = params[name]
        tags[name] = {
            "id": str(uuid.uuid5(TAG_NAMESPACE, f"{card['key']}/{name}")),
            "name": name,
            "display-name": p["name"],
            "type": "text",
            "required": True,
            "default": p["default"],
        }
    return {
        "name": card["name"],
        "description": card.get("description"),
        "type": "question",
        "display": card["display"],
        "visualization_settings": card.get("visualization_settings", {}),
        "dataset_query": {
            "type": "native",
            "database": db_id,
            "native": {"query": card["sql"], "template-tags": tags},
        },
    }


def ensure_cards(mb: Metabase, spec: dict, db_id: int) -> dict[str, int]:
    existing = _listing(mb.call("GET", "/api/card?f=all"))
    ids = {}
    for card in spec["cards"]:
        body = card_body(card, spec, db_id)
        found = _find(existing, card["name"])
        if found:
            mb.call("PUT", f"/api/card/{found['id']}", body)
            ids[card["key"]] = found["id"]
        else:
            ids[card["key"]] = mb.call("POST", "/api/card", body)["id"]
        log.info("question %r: id %s", card["name"], ids[card["key"]])
    return ids


def dashboard_parameters(spec: dict) -> list[dict]:
    return [
        {
            "id": p["id"],
            "slug": p["id"],
            "name": p["name"],
            "type": "string/=",
            "sectionId": "string",
            "default": [p["default"]],
            "required": True,
            "values_query_type": "list",
            "values_source_type": "static-list",
            "values_source_config": {"values": p["values"]},
        }
        for p in spec["parameters"]
    ]


def ensure_dashboard(mb: Metabase, spec: dict, card_ids: dict[str, int]) -> int:
    name = spec["name"]
    found = _find(_listing(mb.call("GET", "/api/dashboard/?f=all")), name)
    if found:
        dash_id = found["id"]
        current = mb.call("GET", f"/api/dashboard/{dash_id}")
    else:
        dash_id = mb.call(
            "POST",
            "/api/dashboard",
            {
                "name": name,
                "description": spec["description"],
                "parameters": dashboard_parameters(spec),
            },
        )["id"]
        current = {"dashcards": []}
    # keep the dashcard ids of cards already placed (no churn on reruns); new ones get negative ids
    placed = {dc.get("card_id"): dc["id"] for dc in current.get("dashcards", [])}
    dashcards = []
    for n, card in enumerate(spec["cards"], start=1):
        card_id = card_ids[card["key"]]
        dashcards.append(
            {
                "id": placed.get(card_id, -n),
                "card_id": card_id,
                **card["layout"],
                "series": [],
                "visualization_settings": {},
                "parameter_mappings": [
                    {
                        "parameter_id": tag,
                        "card_id": card_id,
                        "target": ["variable", ["template-tag", tag]],
                    }
                    for tag in template_tags(card["sql"])
                ],
            }
        )
    mb.call(
        "PUT",
        f"/api/dashboard/{dash_id}",
        {
            "name": name,
            "description": spec["description"],
            "parameters": dashboard_parameters(spec),
            "dashcards": dashcards,
        },
    )
    log.info("dashboard %r: id %s, %d questions", name, dash_id, len(dashcards))
    return dash_id


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ProvisionError(f"{name} is not set")
    return value


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s provision %(levelname)s %(message)s"
    )
    try:
        spec = load_dashboard()
        mb = Metabase(os.environ.get("MB_URL", "http://metabase:3000"))
        mb.wait(float(os.environ.get("MB_WAIT_SECONDS", "600")))
        mb.sign_in(
            _required("MB_ADMIN_EMAIL"),
            _required("MB_ADMIN_PASSWORD"),
            os.environ.get("MB_SITE_NAME", "CCHC"),
        )
        db_id = ensure_database(
            mb,
            spec,
            os.environ.get("CCHC_WAREHOUSE_HOST", "postgres"),
            int(os.environ.get("CCHC_WAREHOUSE_PORT", "5432")),
            os.environ.get("CCHC_WAREHOUSE_DB", "cchc"),
            _required("CCHC_BI_PASSWORD"),
        )
        dash_id = ensure_dashboard(mb, spec, ensure_cards(mb, spec, db_id))
    except ProvisionError as exc:
        log.error("%s", exc)
        return 1
    public = os.environ.get("MB_PUBLIC_URL", "http://localhost:3000").rstrip("/")
    log.info("done: %s/dashboard/%s", public, dash_id)
    marker = os.environ.get("PROVISIONED_MARKER")
    if marker:
        Path(marker).write_text(f"{dash_id}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
