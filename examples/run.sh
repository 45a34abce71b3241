#!/usr/bin/env bash
# The example project's tests under each SDK major, each in a fresh venv: the package, pytest and the
# latest openai of that major, installed as a user would (pip's cache keeps repeat runs quick).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
ROOT="$(cd .. && pwd)"
WORK="${EXAMPLES_VENVS:-$ROOT/.examples}"
rm -rf "$WORK"
mkdir -p "$WORK"
# One wheel, built once, is what both environments install: the package as a user gets it.
"$PYTHON" -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$WORK/dist" "$ROOT"
status=0
for spec in "openai>=3,<4" "openai>=2,<3"; do
  venv="$WORK/openai$(echo "$spec" | sed 's/[^0-9]*\([0-9]\).*/\1/')"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$WORK"/dist/*.whl "$spec" pytest
  version="$("$venv/bin/python" -c 'import openai; print(openai.__version__)')"
  echo "examples: openai $version"
  "$venv/bin/python" -m pytest -q tests || status=1
done
exit $status
