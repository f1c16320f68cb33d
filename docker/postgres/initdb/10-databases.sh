#!/usr/bin/env bash
# First start of the postgres service only (an empty data volume): the databases of Airflow's
# metadata and of Metabase's application data, each owned by a role of its own. The warehouse is
# the image's POSTGRES_DB (cchc, owned by POSTGRES_USER); its schemas, tables and the bi_reader
# role come from the project's bootstrap, run by airflow-init (`cchc warehouse start`).
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v airflow_password="$AIRFLOW_DB_PASSWORD" \
    -v metabase_password="$METABASE_DB_PASSWORD" <<'SQL'
create role airflow login password :'airflow_password';
create database airflow owner airflow;
create role metabase login password :'metabase_password';
create database metabase owner metabase;
SQL
