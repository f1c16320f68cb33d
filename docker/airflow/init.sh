#!/usr/bin/env bash
# airflow-init (docker-compose.yml): what the long-running services and Metabase need before they
# start. Every step is idempotent, so `docker compose up` may run it on every start.
set -euo pipefail

mkdir -p "${CCHC_HOME}/airflow" "${AIRFLOW__COSMOS__CACHE_DIR}"

echo "airflow-init: Airflow's metadata database (airflow db migrate)"
airflow db migrate

echo "airflow-init: the dbt pool (one dbt run at a time on the warehouse)"
# the pool of cchc_warehouse.airflow_env.migrate: name DBT_POOL, one slot
airflow pools set dbt "${CCHC_DBT_POOL_SLOTS:-2}" "dbt on the warehouse: the build DAG model tasks, two at a time"

echo "airflow-init: warehouse bootstrap (schemas, raw/quarantine/audit tables, the bi_reader role)"
# `cchc warehouse start` prints the warehouse URL, password included: keep it out of the log
cchc warehouse start >/dev/null

echo "airflow-init: dbt parse (a broken dbt project is reported here, not at the first build)"
python -c "from cchc_warehouse import dbt; dbt.ensure_manifest()"

echo "airflow-init: the admin's password for the simple auth manager"
python - <<'PY'
import json
import os

path = os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
with open(path, "w", encoding="utf-8") as f:
    json.dump({"admin": os.environ["AIRFLOW_ADMIN_PASSWORD"]}, f)
os.chmod(path, 0o600)
PY

touch /tmp/cchc-init-done
echo "airflow-init: done"
