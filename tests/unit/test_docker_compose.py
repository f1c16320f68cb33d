"""The Docker stack as files: docker-compose.yml, docker/airflow/Dockerfile and init.sh, the
PostgreSQL init script, .env.example and the Metabase provisioning (docker/metabase/).

No Docker engine is needed (there is none where this project is developed or in CI): the compose
file is read as YAML and its ${VAR:-default} values resolved the way compose does; the
provisioning script runs against a small fake of Metabase's REST API on 127.0.0.1. When the
`docker compose` plugin is installed, `docker compose config` validates the file too.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "docker" / "airflow" / "Dockerfile"
INIT_SH = ROOT / "docker" / "airflow" / "init.sh"
PG_INIT = ROOT / "docker" / "postgres" / "initdb" / "10-databases.sh"
METABASE_DIR = ROOT / "docker" / "metabase"
ENV_EXAMPLE = ROOT / ".env.example"

RAW = COMPOSE_FILE.read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(RAW)  # anchors and merge keys resolved, ${...} left as written
SERVICES = COMPOSE["services"]
AIRFLOW_COMPONENTS = {
    "airflow-api-server": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
AIRFLOW_SERVICES = sorted(s for s in SERVICES if s.startswith("airflow-"))
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def resolve(value, env: dict[str, str] | None = None):
    """A compose value with ${VAR:-default} / ${VAR} replaced (from env, else the default) and $$
    unescaped, as `docker compose config` does without a .env file."""
    if isinstance(value, dict):
        return {k: resolve(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, env) for v in value]
    if not isinstance(value, str):
        return value
    env = env or {}
    text = value.replace("$$", "\0")
    text = VAR.sub(lambda m: env.get(m.group(1), m.group(2) or ""), text)
    return text.replace("\0", "$")


def env_of(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in resolve(SERVICES[service].get("environment", {})).items()}


def dockerfile_arg(name: str) -> str:
    match = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert match, f"ARG {name} with a default in {DOCKERFILE}"
    return match.group(1)


def locked_version(package: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return next(p["version"] for p in lock["package"] if p["name"] == package)


def load_provision():
    spec = importlib.util.spec_from_file_location(
        "cchc_metabase_provision", METABASE_DIR / "provision.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


# --- the compose file ------------------------------------------------------------------------------


def test_the_stack_has_its_services():
    assert set(AIRFLOW_COMPONENTS) | {
        "postgres",
        "airflow-init",
        "metabase",
        "metabase-provision",
    } == set(SERVICES)
    for service, component in AIRFLOW_COMPONENTS.items():
        assert SERVICES[service]["command"] == component


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_has_a_healthcheck(service):
    check = SERVICES[service].get("healthcheck")
    assert check, f"{service} has no healthcheck"
    assert not check.get("disable")
    assert check["test"][0] in ("CMD", "CMD-SHELL") and len(check["test"]) > 1
    assert check.get("interval") and check.get("retries")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_images_are_pinned(service):
    image = resolve(SERVICES[service]["image"])
    name, _, tag = image.rpartition(":")
    assert name and "/" not in tag, f"{service}: {image} has no tag"
    assert tag != "latest" and re.match(r"v?\d+\.\d+", tag), f"{service}: {image} is not pinned"


def test_the_airflow_image_is_the_locked_airflow():
    airflow = locked_version("apache-airflow")
    assert dockerfile_arg("AIRFLOW_IMAGE") == f"apache/airflow:{airflow}-python3.11"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "3.11" in pyproject["project"]["requires-python"]
    # the image built here is tagged with what it contains
    assert resolve(SERVICES["airflow-scheduler"]["image"]) == f"cchc-airflow:{airflow}-python3.11"
    # the tools that install the lock are pinned too
    assert re.fullmatch(r"\d+\.\d+\.\d+", dockerfile_arg("UV_VERSION"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", dockerfile_arg("HATCHLING_VERSION"))
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "uv sync --locked --no-dev" in text


def test_airflow_services_share_one_image_environment_and_mounts():
    common = COMPOSE["x-airflow-common"]
    assert sorted([*AIRFLOW_COMPONENTS, "airflow-init"]) == AIRFLOW_SERVICES
    for service in AIRFLOW_SERVICES:
        spec = SERVICES[service]
        assert spec["image"] == common["image"]
        assert spec["build"] == common["build"]
        assert spec["volumes"] == common["volumes"]
        assert spec["user"] == common["user"]
        env = spec["environment"]
        assert {k: env.get(k) for k in common["environment"]} == common["environment"], service
        # written with the anchor, not copied
        block = RAW.split(f"\n  {service}:\n", 1)[1].split("\n  ", 1)[0]
        assert block.strip() == "<<: *airflow-common", service
    # only the init service adds something: the admin's password it writes
    assert set(SERVICES["airflow-init"]["environment"]) - set(common["environment"]) == {
        "AIRFLOW_ADMIN_PASSWORD"
    }


def test_airflow_settings_are_those_of_airflow_env(tmp_path, monkeypatch):
    """Every variable cchc_warehouse.airflow_env sets for Airflow is set in the containers too,
    with the same value where it is not a path or a service address of this machine."""
    compose_env = env_of("airflow-scheduler")
    monkeypatch.setenv("CCHC_HOME", str(tmp_path))
    monkeypatch.setenv("CCHC_WAREHOUSE_URL", compose_env["CCHC_WAREHOUSE_URL"])
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", raising=False)
    monkeypatch.delenv("CCHC_LANDING_DIR", raising=False)
    from cchc_warehouse import airflow_env
    from cchc_warehouse.dbt import dbt_env

    local = airflow_env.environment(landing_dir="/data/landing")
    # AIRFLOW_HOME stays the image's /opt/airflow (its entrypoint and airflow.cfg live there)
    missing = set(local) - set(compose_env) - {"AIRFLOW_HOME"}
    assert not missing, f"set by airflow_env.py, not in docker-compose.yml: {sorted(missing)}"
    same = {
        "AIRFLOW__CORE__LOAD_EXAMPLES",
        "AIRFLOW__CORE__EXECUTOR",
        "AIRFLOW__CORE__PARALLELISM",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY",
        "AIRFLOW__COSMOS__PROPAGATE_LOGS",
        "AIRFLOW_CONN_CCHC_LANDING",
        "CCHC_LANDING_DIR",
        "CCHC_WAREHOUSE_URL",
        "NO_PROXY",
        "DBT_SEND_ANONYMOUS_USAGE_STATS",
    }
    for key in sorted(same):
        assert compose_env[key] == local[key], key
    assert compose_env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == airflow_env.TIMEZONE
    # dbt's profile variables are those derived from the warehouse URL
    for key, value in dbt_env(compose_env["CCHC_WAREHOUSE_URL"]).items():
        assert compose_env[key] == value, key
    # the metadata database: the same drivers, the `airflow` database on the warehouse's server
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"):
        ours, theirs = make_url(compose_env[key]), make_url(local[key])
        assert (ours.drivername, ours.database, ours.host) == (
            theirs.drivername,
            theirs.database,
            theirs.host,
        ), key
    # paths: the project's folders as mounted, the state volume
    assert compose_env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/cchc/dags"
    assert compose_env["AIRFLOW__CORE__PLUGINS_FOLDER"] == "/opt/cchc/plugins"
    assert compose_env["AIRFLOW__COSMOS__CACHE_DIR"] == compose_env["CCHC_HOME"] + "/cosmos"
    assert compose_env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == (
        compose_env["CCHC_HOME"] + "/airflow/passwords.json"
    )
    assert compose_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith(
        "http://airflow-api-server:8080/"
    )


def test_the_project_folders_are_mounted_where_the_package_finds_them():
    from cchc_warehouse import warehouse

    # the package finds dbt_project/, sql/, expectations/ two levels above its own folder
    package = Path(warehouse.__file__).resolve().parent
    assert package.parents[1] == warehouse.PROJECT_ROOT
    assert package.relative_to(warehouse.PROJECT_ROOT) == Path("plugins/cchc_warehouse")
    mounts = {}
    for volume in resolve(COMPOSE["x-airflow-common"]["volumes"]):
        source, target = volume.split(":")[:2]
        mounts[source] = target
    for folder in ("dags", "plugins", "dbt_project", "expectations", "sql"):
        assert mounts[f"./{folder}"] == f"/opt/cchc/{folder}"
        assert (ROOT / folder).is_dir()
    env = env_of("airflow-scheduler")
    assert env["CCHC_LANDING_DIR"] in mounts.values()
    assert env["CCHC_HOME"] in mounts.values()
    assert "WORKDIR /opt/cchc" in DOCKERFILE.read_text(encoding="utf-8")


def test_the_build_context_lets_in_what_the_dockerfile_copies():
    ignore = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    allowed = {line[1:].rstrip("/") for line in ignore.splitlines() if line.startswith("!")}
    assert "*" in ignore.splitlines()  # everything else (.venv, .cchc, .git, .env) stays out
    copied = re.findall(
        r"^COPY (?:--chown=\S+ )?(.+) \S+$", DOCKERFILE.read_text(encoding="utf-8"), re.M
    )
    sources = [s.rstrip("/") for line in copied for s in line.split()]
    assert sources
    for source in sources:
        assert source in allowed, f"{source} is copied but not in the build context"
        assert (ROOT / source).exists()


def test_init_does_what_airflow_env_migrate_does_and_bootstraps_the_warehouse():
    from cchc_warehouse.airflow_env import DBT_POOL, DBT_POOL_SLOTS

    script = INIT_SH.read_text(encoding="utf-8")
    assert "set -euo pipefail" in script
    assert "airflow db migrate" in script
    assert f'airflow pools set {DBT_POOL} "${{CCHC_DBT_POOL_SLOTS:-{DBT_POOL_SLOTS}}}"' in script
    assert "cchc warehouse start" in script
    assert "ensure_manifest()" in script
    init = SERVICES["airflow-init"]
    assert init["command"] == ["bash", "/opt/cchc/docker/airflow/init.sh"]
    assert init["restart"] == "no"
    assert (
        "COPY --chown=airflow:0 docker/airflow/init.sh docker/airflow/init.sh"
        in DOCKERFILE.read_text(encoding="utf-8")
    )
    assert "/tmp/cchc-init-done" in script and "/tmp/cchc-init-done" in init["healthcheck"]["test"]


def test_services_wait_for_what_they_need():
    for service in AIRFLOW_COMPONENTS:
        deps = SERVICES[service]["depends_on"]
        assert deps["airflow-init"]["condition"] == "service_completed_successfully"
        assert deps["postgres"]["condition"] == "service_healthy"
    assert SERVICES["airflow-init"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert SERVICES["metabase"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    provision = SERVICES["metabase-provision"]["depends_on"]
    assert provision["metabase"]["condition"] == "service_healthy"
    assert provision["airflow-init"]["condition"] == "service_completed_successfully"
    for service, spec in SERVICES.items():
        for dep in spec.get("depends_on", {}):
            assert dep in SERVICES, f"{service} depends on unknown {dep}"


def test_databases_roles_and_passwords_fit_together():
    pg = env_of("postgres")
    airflow = env_of("airflow-scheduler")
    metabase = env_of("metabase")
    provision = env_of("metabase-provision")
    warehouse_url = make_url(airflow["CCHC_WAREHOUSE_URL"])
    assert (
        warehouse_url.username,
        warehouse_url.password,
        warehouse_url.database,
        warehouse_url.host,
    ) == (
        pg["POSTGRES_USER"],
        pg["POSTGRES_PASSWORD"],
        pg["POSTGRES_DB"],
        "postgres",
    )
    meta = make_url(airflow["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert (meta.username, meta.password, meta.database) == (
        "airflow",
        pg["AIRFLOW_DB_PASSWORD"],
        "airflow",
    )
    assert (metabase["MB_DB_USER"], metabase["MB_DB_PASS"], metabase["MB_DB_DBNAME"]) == (
        "metabase",
        pg["METABASE_DB_PASSWORD"],
        "metabase",
    )
    script = PG_INIT.read_text(encoding="utf-8")
    for statement in (
        "create role airflow login password :'airflow_password';",
        "create database airflow owner airflow;",
        "create role metabase login password :'metabase_password';",
        "create database metabase owner metabase;",
    ):
        assert statement in script
    assert 'airflow_password="$AIRFLOW_DB_PASSWORD"' in script
    assert 'metabase_password="$METABASE_DB_PASSWORD"' in script
    assert (
        "./docker/postgres/initdb:/docker-entrypoint-initdb.d:ro" in SERVICES["postgres"]["volumes"]
    )
    # Metabase connects as bi_reader with the password the bootstrap sets
    assert provision["CCHC_BI_PASSWORD"] == airflow["CCHC_BI_PASSWORD"]
    assert provision["CCHC_WAREHOUSE_DB"] == warehouse_url.database
    assert provision["CCHC_WAREHOUSE_HOST"] == warehouse_url.host
    assert airflow["CCHC_DBT_PASSWORD"] == pg["POSTGRES_PASSWORD"]


def test_secrets_come_from_the_environment_with_local_only_defaults():
    secret_key = re.compile(r"PASS(WORD)?$|SECRET|_KEY$|SQL_ALCHEMY_CONN|WAREHOUSE_URL")
    for service, spec in SERVICES.items():
        for key, value in spec.get("environment", {}).items():
            if secret_key.search(key) and not key.endswith("_FILE"):
                assert "${" in str(value), f"{service}.{key} is written in the file"
    defaults = {}
    # compose's own variables: not in comments, not $${...} (escaped for the container's shell)
    code = "\n".join(line for line in RAW.splitlines() if not line.lstrip().startswith("#"))
    code = code.replace("$$", "")
    for name, default in VAR.findall(code):
        defaults.setdefault(name, set()).add(default)
    example = env_example()
    for name, values in defaults.items():
        assert len(values) == 1, f"${{{name}}} has different defaults: {values}"
        default = values.pop()
        assert name in example, f"${{{name}}} is not in .env.example"
        assert example[name] == default, (
            f"{name}: .env.example says {example[name]!r}, compose {default!r}"
        )
        if re.search(r"PASSWORD|SECRET|_KEY$", name):
            assert default.startswith("local-only"), f"{name}'s default is not marked local-only"
    assert set(example) == set(defaults), "variables in .env.example that compose does not read"


def test_ports_are_published_on_loopback_only():
    for service, spec in SERVICES.items():
        for port in resolve(spec.get("ports", [])):
            assert port.startswith("127.0.0.1:"), f"{service} publishes {port} on every interface"


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="the docker compose plugin is not installed",
)
def test_docker_compose_config_accepts_the_file():
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


# --- the Metabase dashboard --------------------------------------------------------------------------


PERIOD_FILTERS = ("period_convention", "period_type")


def test_the_dashboard_description_and_its_query_files():
    provision = load_provision()
    spec = provision.load_dashboard()  # raises when a query file is missing or a check fails
    assert provision.check(spec) == []
    used = {(METABASE_DIR / card["query"]).resolve() for card in spec["cards"]}
    files = {p.resolve() for p in (METABASE_DIR / "queries").glob("*.sql")}
    assert used == files, "every query file belongs to a card and every card has its file"
    for card in spec["cards"]:
        assert card["sql"].strip(), card["key"]
        # every card follows both filters, but the one by day (no periods: the last 90 days)
        tags = set(provision.template_tags(card["sql"]))
        assert tags == (set() if card["key"] == "received_by_day" else set(PERIOD_FILTERS))
    # what the brief asks the dashboard to show
    keys = {card["key"] for card in spec["cards"]}
    assert {"on_time_rate_by_agency", "online_share", "documents_by_sending_form"} <= keys
    roles = (ROOT / "sql" / "90_roles.sql").read_text(encoding="utf-8")
    assert f"create role {provision.BI_ROLE} login" in roles


def test_check_finds_a_broken_description():
    provision = load_provision()
    spec = provision.load_dashboard()
    spec["cards"][0]["sql"] += " and x = {{agency}}"
    spec["cards"][1]["visualization_settings"]["graph.metrics"] = ["no_such_column"]
    spec["cards"][2]["layout"]["size_x"] = 30
    problems = provision.check(spec)
    assert len(problems) == 3, problems


def test_the_provisioning_service_runs_the_script():
    spec = SERVICES["metabase-provision"]
    assert spec["command"] == ["python", "/provision/provision.py"]
    assert "./docker/metabase:/provision:ro" in spec["volumes"]
    assert spec["restart"] == "no"
    marker = env_of("metabase-provision")["PROVISIONED_MARKER"]
    assert marker in spec["healthcheck"]["test"]


class FakeMetabase:
    """Just enough of Metabase's REST API for provision.py, kept in memory."""

    SESSION = "fake-session"

    def __init__(self) -> None:
        self.admin: dict | None = None
        self.databases: dict[int, dict] = {}
        self.cards: dict[int, dict] = {}
        self.dashboards: dict[int, dict] = {}
        self.calls: list[tuple[str, str]] = []
        self.next_id = 100

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def handle(self, method: str, path: str, headers, body):
        self.calls.append((method, path))
        parts = path.split("?")[0].rstrip("/").split("/")[2:]  # after /api
        if parts == ["health"]:
            return 200, {"status": "ok"}
        if parts == ["session", "properties"]:
            return 200, {"setup-token": "setup-token-1", "has-user-setup": self.admin is not None}
        if parts == ["setup"] and method == "POST":
            if self.admin or body["token"] != "setup-token-1":
                return 403, {"message": "setup already done"}
            self.admin = body["user"]
            return 200, {"id": self.SESSION}
        if parts == ["session"] and method == "POST":
            ok = self.admin and (body["username"], body["password"]) == (
                self.admin["email"],
                self.admin["password"],
            )
            return (200, {"id": self.SESSION}) if ok else (401, {"message": "bad credentials"})
        if headers.get("X-Metabase-Session") != self.SESSION:
            return 401, {"message": "unauthenticated"}
        kind = parts[0]
        store = {"database": self.databases, "card": self.cards, "dashboard": self.dashboards}[kind]
        if len(parts) == 1 and method == "GET":
            items = list(store.values())
            return 200, {"data": items} if kind == "database" else items
        if len(parts) == 1 and method == "POST":
            item = {**body, "id": self.new_id(), "archived": False}
            if kind == "dashboard":
                item["dashcards"] = []
            store[item["id"]] = item
            return 200, item
        item = store.get(int(parts[1]))
        if item is None:
            return 404, {"message": "not found"}
        if len(parts) == 3 and parts[2] == "sync_schema":
            return 200, {"status": "ok"}
        if method == "GET":
            return 200, item
        if method == "PUT":
            update = dict(body)
            if kind == "dashboard" and "dashcards" in update:
                known = {dc["id"] for dc in item["dashcards"]}
                dashcards = []
                for dc in update.pop("dashcards"):
                    if dc["id"] < 0:
                        dc = {**dc, "id": self.new_id()}
                    elif dc["id"] not in known:
                        return 400, {"message": f"dashcard {dc['id']} is not on the dashboard"}
                    if dc["card_id"] not in self.cards:
                        return 400, {"message": f"no card {dc['card_id']}"}
                    dashcards.append(dc)
                item["dashcards"] = dashcards
            item.update(update)
            return 200, item
        return 405, {"message": f"{method} {path}"}


@pytest.fixture
def fake_metabase():
    fake = FakeMetabase()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            status, answer = fake.handle(self.command, self.path, self.headers, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_provisioning_against_a_fake_metabase_twice(fake_metabase, monkeypatch, tmp_path):
    fake, url = fake_metabase
    provision = load_provision()
    marker = tmp_path / "provisioned"
    for key, value in {
        "MB_URL": url,
        "MB_ADMIN_EMAIL": "admin@cchc.invalid",
        "MB_ADMIN_PASSWORD": "local-only-Metabase-1",
        "CCHC_BI_PASSWORD": "bi-secret",
        "CCHC_WAREHOUSE_HOST": "postgres",
        "CCHC_WAREHOUSE_DB": "cchc",
        "PROVISIONED_MARKER": str(marker),
    }.items():
        monkeypatch.setenv(key, value)

    assert provision.main() == 0
    spec = provision.load_dashboard()
    assert fake.admin["email"] == "admin@cchc.invalid"
    # the warehouse, as bi_reader, marts only
    (db,) = fake.databases.values()
    assert db["engine"] == "postgres"
    assert db["details"]["user"] == "bi_reader" and db["details"]["password"] == "bi-secret"
    assert (db["details"]["host"], db["details"]["dbname"]) == ("postgres", "cchc")
    assert db["details"]["schema-filters-type"] == "inclusion"
    assert db["details"]["schema-filters-patterns"] == "marts"
    # one native question per card, its SQL the file's, its variables wired to the filters
    by_name = {c["name"]: c for c in fake.cards.values()}
    assert set(by_name) == {c["name"] for c in spec["cards"]}
    for card in spec["cards"]:
        made = by_name[card["name"]]
        query = made["dataset_query"]
        assert query["type"] == "native" and query["database"] == db["id"]
        assert query["native"]["query"] == (METABASE_DIR / card["query"]).read_text(
            encoding="utf-8"
        )
        tags = query["native"]["template-tags"]
        assert set(tags) == set(provision.template_tags(card["sql"]))
        assert all(t["type"] == "text" and t["required"] and t["default"] for t in tags.values())
        assert made["display"] == card["display"]
    (dash,) = fake.dashboards.values()
    assert dash["name"] == spec["name"]
    assert {p["id"] for p in dash["parameters"]} == {"period_convention", "period_type"}
    assert len(dash["dashcards"]) == len(spec["cards"])
    for dc in dash["dashcards"]:
        card = fake.cards[dc["card_id"]]
        for mapping in dc["parameter_mappings"]:
            assert mapping["card_id"] == dc["card_id"]
            tag = mapping["target"][1][1]
            assert tag in card["dataset_query"]["native"]["template-tags"]
            assert mapping["parameter_id"] in {p["id"] for p in dash["parameters"]}
        tags = card["dataset_query"]["native"]["template-tags"]
        assert len(dc["parameter_mappings"]) == len(tags)
    assert sum(len(dc["parameter_mappings"]) == 2 for dc in dash["dashcards"]) == 4
    assert marker.read_text().strip() == str(dash["id"])
    first = {
        "cards": sorted(fake.cards),
        "dashcards": sorted(dc["id"] for dc in dash["dashcards"]),
        "databases": sorted(fake.databases),
    }

    # a rerun signs in (no second setup) and updates in place: nothing new, nothing lost
    fake.calls.clear()
    assert provision.main() == 0
    assert ("POST", "/api/setup") not in fake.calls
    assert ("POST", "/api/session") in fake.calls
    assert not [c for c in fake.calls if c[0] == "POST" and c[1] in ("/api/card", "/api/dashboard")]
    (dash,) = fake.dashboards.values()
    assert {
        "cards": sorted(fake.cards),
        "dashcards": sorted(dc["id"] for dc in dash["dashcards"]),
        "databases": sorted(fake.databases),
    } == first


def test_provisioning_fails_with_one_line_when_signing_in_fails(fake_metabase, monkeypatch, caplog):
    fake, url = fake_metabase
    fake.admin = {"email": "someone@else.invalid", "password": "other"}
    provision = load_provision()
    for key, value in {
        "MB_URL": url,
        "MB_ADMIN_EMAIL": "admin@cchc.invalid",
        "MB_ADMIN_PASSWORD": "wrong",
        "CCHC_BI_PASSWORD": "x",
    }.items():
        monkeypatch.setenv(key, value)
    assert provision.main() == 1
    assert any("POST /api/session: HTTP 401" in r.getMessage() for r in caplog.records)
    assert not fake.cards and not fake.databases
