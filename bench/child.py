"""The child side of a measured step: `python -m bench.child STEP ARGS.json RESULT.json`.

Runs one step function (its arguments from ARGS.json), writes what it returns to RESULT.json.
The parent (bench.memory.run_step) reads the child's peak memory and time from the kernel.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from pathlib import Path


def steps() -> dict:
    from bench import build, experiments, generate, ingest, nightly, partitions, resend

    return {
        "generate": generate.step_generate,
        "airflow_migrate": nightly.step_airflow_migrate,
        "nights_dag": nightly.step_nights_dag,
        "night_cli": nightly.step_night_cli,
        "dbt_build": build.step_dbt_build,
        "load_big": ingest.step_load_big,
        "gx_batch": ingest.step_gx_batch,
        "parse_only": ingest.step_parse_only,
        "plain_copy_file": ingest.step_plain_copy_file,
        "plain_copy_batches": ingest.step_plain_copy_batches,
        "gx_batches": experiments.step_gx_batches,
        "resend": resend.step_resend,
        "partitions": partitions.step_partitions,
    }


def main() -> int:
    step, args_path, result_path = sys.argv[1:4]
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    from cchc_warehouse.logs import quiet_libraries

    quiet_libraries()
    args = json.loads(Path(args_path).read_text())
    try:
        result = steps()[step](**args)
    except Exception:  # noqa: BLE001 - the parent reads the log and the missing result
        traceback.print_exc()
        return 1
    Path(result_path).write_text(json.dumps(result, default=str, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
