"""Run every benchmark in bench/ and print their results as one table.

Each benchmark is a standalone script printing markdown tables; this runs them one after
another (they share the machine, so never in parallel) and merges their rows.

    python bench/run_all.py [--only scan,api] [--rows N]
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"__init__.py", "common.py", "run_all.py", "settings.py", "urls.py"}


def table_rows(output):
    """(header, rows) of the markdown tables in a script's output."""
    header, rows = None, []
    for line in output.splitlines():
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue
        if header is None:
            header = cells
        else:
            rows.append(dict(zip(header, cells)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="Comma-separated benchmark names (file names without .py).")
    parser.add_argument("--rows", type=int, help="Passed to every benchmark as --rows.")
    args = parser.parse_args()
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in NOT_BENCHMARKS)
    if args.only:
        wanted = set(args.only.split(","))
        scripts = [p for p in scripts if p.stem in wanted]
    merged, failed = [], []
    for script in scripts:
        command = [sys.executable, str(script)] + (["--rows", str(args.rows)] if args.rows else [])
        print(f"== {script.stem}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        sys.stderr.write(result.stdout)
        if result.returncode != 0:
            failed.append(script.stem)
            sys.stderr.write(result.stderr[-3000:])
            continue
        for row in table_rows(result.stdout):
            measure = next(iter(row.values()))
            rest = "; ".join(f"{k}: {v}" for k, v in list(row.items())[1:] if v)
            merged.append((script.stem, measure, rest))
        print(f"   done in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    print("\n| benchmark | measure | result |\n|---|---|---|")
    for name, measure, rest in merged:
        print(f"| {name} | {measure} | {rest} |")
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
