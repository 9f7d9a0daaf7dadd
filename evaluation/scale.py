"""Does the score mean the same in every workspace, and does it tell the top apart? On real data.

    .venv/bin/python evaluation/scale.py [--datasets ../shared/datasets]

1. The shared X archive alone, scored as of 2021-11-20 over 365 days; then RumourEval 2017 (4,500
   unrelated accounts) imported beside it and scored the same way: the owner's score both times, and
   the largest move of any of the archive's accounts.
2. RumourEval alone over 1,000 days: its 20 most-followed accounts, how many distinct scores they
   get and the Spearman correlation of their scores with their follower counts; beside it, the same
   for the workspace percentile (the score's old meaning, still shown beside it as a peer figure).
3. Where the median RumourEval account lands, and how many accounts the default 90-day window
   scores from statistics alone (with the window the run suggests).
"""
from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    args = parser.parse_args(argv)
    from scipy.stats import spearmanr

    from stature import Workspace, ingest
    from stature.analytics import score, top

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        with tarfile.open(args.datasets / "rumoureval2017" / "rumoureval2017.tgz") as archive:
            archive.extractall(folder, filter="data")
        with Workspace(folder / "both.duckdb") as ws:
            ingest(ws, [args.datasets / "formats" / "x-archive"])
            score(ws, as_of="2021-11-20", window_days=365)
            alone = {r["node_id"]: r for r in top(ws, limit=0)}
            ingest(ws, [folder / "data"])
            score(ws, as_of="2021-11-20", window_days=365)
            both = {r["node_id"]: r for r in top(ws, limit=0)}
        owner = next(r for r in alone.values() if r["handle"] == "RTIatMLA")
        moved = max(abs(both[n]["exact"] - r["exact"]) for n, r in alone.items())
        print(f"X archive owner RTIatMLA, as of 2021-11-20 over 365 days: {owner['score']} alone "
              f"(rank {owner['rank']} of {len(alone)}), {both[owner['node_id']]['score']} with RumourEval beside it "
              f"(rank {both[owner['node_id']]['rank']} of {len(both)}); largest move of any archive account "
              f"{moved:.4f} points")
        with Workspace(folder / "rumoureval.duckdb") as ws:
            ingest(ws, [folder / "data"])
            score(ws, window_days=1000)
            rows = top(ws, limit=0)
            followers = dict(ws.sql("""SELECT network || ':' || account_id, max(followers_count) FROM accounts
                                       WHERE followers_count IS NOT NULL GROUP BY 1"""))
            ranked = sorted((r for r in rows if r["node_id"] in followers), key=lambda r: -followers[r["node_id"]])
            twenty = ranked[:20]
            counts = [followers[r["node_id"]] for r in twenty]
            print(f"RumourEval over 1,000 days (as of {rows[0]['as_of'][:10]}), its 20 most-followed accounts "
                  f"({min(counts):,.0f} to {max(counts):,.0f} followers):")
            for name, values in (("score", [r["exact"] for r in twenty]),
                                 ("workspace percentile", [r["peers"]["workspace"]["percentile"] for r in twenty])):
                shown = [r["score"] for r in twenty] if name == "score" else [round(100 * v) for v in values]
                print(f"  {name:<22} distinct {len(set(shown)):>2} of 20, Spearman with followers "
                      f"{spearmanr(counts, values).statistic:.3f}, range {min(shown)}-{max(shown)}")
            for r in twenty:
                print(f"    {r['handle']:<16} {followers[r['node_id']]:>12,.0f} followers  score {r['score']:>3} "
                      f"({r['range'][0]}-{r['range'][1]})  {r['data']}")
            scores = sorted(r["exact"] for r in rows)
            print(f"  median score of its {len(rows):,} accounts {scores[len(scores) // 2]:.1f}; "
                  f"{sum(1 for r in rows if r['data'] == 'statistics'):,} from statistics alone")
            run = score(ws)
            print(f"RumourEval over the default 90 days: {run.coverage['line'] if run.coverage else 'all covered'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
