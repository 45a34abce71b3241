"""`make bench`: the figures the issues name, measured in one run."""

from __future__ import annotations


def main() -> int:
    print("no benchmarks yet")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
