"""Per-partner outcome table of the baseline over many replications (a model health check).

Usage:
    python benchmarks/deal_table.py [--replications 300] [--seed 2025] [overrides ...]

Prints, per partner: P(deal), deal-date quantiles (10/50/90), reciprocal/autos/steel rates in
deals (10/50/90), the share of deals the US accepted (a partner's counter-offer), the share of
deals with the reciprocal rate at its US floor, and ratification failures per run.
"""

from __future__ import annotations

import argparse

import pandas as pd
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.config import load_study
from sim.config.paths import CONF_DIR
from sim.run.runner import run_replications



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = compose("config", overrides=args.overrides)
    study = load_study(OmegaConf.to_container(cfg, resolve=True))
    outcome = run_replications(study.scenario, args.seed, args.replications, workers=1)
    runs = outcome.tables["runs"].to_pandas()
    events = outcome.tables["events"].to_pandas()
    acc = events[events["kind"] == "acceptance"]
    deals_ev = events[events["kind"] == "deal"][["run_id", "target", "day"]]
    # The acceptance that made each deal: same run, partner, day.
    acc = acc.assign(partner=acc["actor"].where(acc["actor"] != "USA", acc["target"]))
    made = deals_ev.merge(acc, left_on=["run_id", "target", "day"], right_on=["run_id", "partner", "day"])
    floor = study.scenario.us.floors.get("reciprocal", 0.0)
    rows = []
    for code, mine in runs.groupby("partner"):
        deals = mine[mine["deal"]]
        q = lambda s: "/".join(f"{v:.0f}" for v in s.quantile([0.1, 0.5, 0.9])) if len(s) else "-"
        dates = pd.to_datetime(deals["deal_date"])
        dq = "/".join(d.strftime("%d%b") for d in dates.quantile([0.1, 0.5, 0.9])) if len(deals) else "-"
        iqr = (dates.quantile(0.75) - dates.quantile(0.25)).days if len(deals) else 0
        mine_made = made[made["partner"] == code]
        rows.append({
            "partner": code, "P(deal)": f"{mine['deal'].mean():.2f}", "date 10/50/90": dq, "IQR d": iqr,
            "recip": q(deals["agreed_reciprocal"]),
            "autos": q(deals["agreed_autos"]) if "agreed_autos" in deals and deals["agreed_autos"].notna().any() else "-",
            "steel": q(deals["agreed_steel"]) if "agreed_steel" in deals and deals["agreed_steel"].notna().any() else "-",
            "by 1 Jul": f"{(mine['deal'] & (pd.to_datetime(mine['deal_date']) <= pd.Timestamp('2025-07-01'))).mean():.2f}",
            "at floor": f"{(deals['agreed_reciprocal'] <= floor + 1e-6).mean():.2f}" if len(deals) else "-",
            "US acc": f"{(mine_made['actor'] == 'USA').mean():.2f}" if len(mine_made) else "-",
            "ratif fail/run": f"{mine['ratification_failures'].mean():.2f}",
        })
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"all deals accepted by the US: {(made['actor'] == 'USA').mean():.2f} of {len(made)}")


if __name__ == "__main__":
    main()
