"""``python -m services.bench [--quick] [--output FILE]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.bench.main import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.bench", description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"), help="JSON results file")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the benchmark works")
    args = parser.parse_args(argv)
    return run(args.output, quick=args.quick)


if __name__ == "__main__":
    sys.exit(main())
