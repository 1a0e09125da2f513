"""Run inside slo-generator's own virtual environment by bench/peer.py (it imports nothing of the app): compute every
SLO config in a folder ``runs`` times with slo-generator's own ``compute()``, as its ``compute`` command does, and
print one JSON line with each run's wall time and the 30-day step's SLI of every SLO.

The configs are parsed once, outside the timing, and slo-generator's INFO log is silenced, so the figures are its
queries and arithmetic only: the most favourable reading of the peer."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from slo_generator import utils
from slo_generator.compute import compute


def main() -> int:
    slo_folder, config_path, runs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    logging.disable(logging.WARNING)
    config = utils.load_config(config_path)
    slo_configs = [
        utils.load_config(str(path), kind="ServiceLevelObjective") for path in sorted(slo_folder.glob("*.yaml"))
    ]
    seconds, slis = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        reports = {slo["metadata"]["name"]: compute(slo, config, timestamp=time.time()) for slo in slo_configs}
        seconds.append(time.perf_counter() - started)
    for name, steps in reports.items():
        period = [step for step in steps if step["error_budget_policy_step_name"] == "period"]
        slis[name] = period[0]["sli_measurement"] if period else None
    print(json.dumps({"seconds": seconds, "slis": slis, "reports": sum(len(steps) for steps in reports.values())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
