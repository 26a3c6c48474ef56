#!/usr/bin/env bash
# The whole ruff clean-up of issue 12, from the repository root: RUFF=path/to/ruff PY=path/to/python run.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
RUFF=${RUFF:-.venv/bin/ruff}; PY=${PY:-.venv/bin/python}
$RUFF check --fix --quiet src tests bench >/dev/null   # the safe fixes: isort, pyupgrade, simplify
$PY "$HERE/manual.py"                                   # B905 zip(strict=), F821, SIM102, B023, E731, B007, SIM105, W291
$RUFF check --fix --quiet src tests bench >/dev/null   # re-sort imports the hand fixes added
$PY "$HERE/wrap.py" "$RUFF" >/dev/null                  # E501: break at a comma inside brackets, house style
$PY "$HERE/split_strings.py" "$RUFF" >/dev/null         # E501: split long literals inside brackets
$PY "$HERE/wrap.py" "$RUFF" >/dev/null
$PY "$HERE/hand.py"                                     # E501: the rest, by hand
$RUFF check src tests bench
