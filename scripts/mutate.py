"""Mutation testing of the rule modules against their own fast unit tests (``make mutation``).

For each module in ``TABLE`` the script makes every small mutant of its source, one at a time, and runs the
module's own unit tests (``pytest -x -q -p no:cacheprovider``, no database, no browser) against it. A mutant the
tests notice is *killed*; one they do not is a *survivor*, a behaviour no test pins down. The score is
killed / (mutants − listed equivalents).

Mutations (deterministic, in source order): flip a comparison (``<``→``<=``, ``>=``→``>``, ``==``→``!=``,
``in``→``not in``, ``is``→``is not`` and back), add one to an integer constant, swap ``and``/``or``, drop a
``not``, and make a ``return value`` return None. Annotations, docstrings and f-strings are left alone.

Everything happens in a temporary copy of ``src/``, ``tests/`` and ``pyproject.toml``: the working tree is
never mutated, even if the run is interrupted. Each mutant runs in a child forked from a parent that has
imported pytest and the third-party libraries but nothing of gridgov, so the child imports the mutated source
fresh and only the tests themselves cost time. A mutant that runs past the time limit counts as killed.

    python scripts/mutate.py                 # every module, one after the other
    python scripts/mutate.py kit/ids.py -v   # one module, listing its survivors
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import importlib
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Module (under src/gridgov) → its own unit tests. Adjust the paths here when a module or test file moves.
TABLE: dict[str, list[str]] = {
    "cases/workflow.py": ["tests/cases/test_case_workflow.py"],
    "cases/deadlines.py": ["tests/cases/test_case_deadlines.py"],
    "calendar.py": ["tests/system/test_calendar.py"],
    "staff/rules.py": ["tests/staff/test_staff_rules.py"],
    "kit/ids.py": ["tests/kit/test_ids.py"],
    "kit/crypto.py": ["tests/kit/test_crypto.py"],
    "kit/masking.py": ["tests/kit/test_masking_rule.py"],
}

# Only the fast tests: a test on a database (parametrised ``sqlite``/``postgresql``) or a browser is left out.
FAST = ["-m", "not browser and not postgres", "-k", "not sqlite and not postgresql"]

# Mutants that cannot change behaviour, by module, as printed by ``-v`` ("function | line | change"), each
# with the reason. They are left out of the score; one that gets killed is reported as a stale entry.
EQUIVALENT: dict[str, dict[str, str]] = {
    "kit/ids.py": {
        "id_number_problem | if _CHECK[sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS)) % 11] != value[17]:"
        " | 17 → 18": "zip() stops at the 17 weights, so an 18th character is never summed"
                      " (zip(strict=True) would make it killable)",
    },
    "calendar.py": {
        "<module> | @lru_cache(maxsize=1) | 1 → 2": "a bigger cache of a function without arguments",
        "bundled_years | for year in range(1990, 2200): | 1990 → 1991": "the bundled data starts in 2004",
        "bundled_years | for year in range(1990, 2200): | 2200 → 2201": "the bundled data ends long before 2200",
        "bundled_years | chinese_calendar.is_workday(date(year, 6, 1)) | 6 → 7": "any day of a year probes it",
        "bundled_years | chinese_calendar.is_workday(date(year, 6, 1)) | 1 → 2": "any day of a year probes it",
        "WorkCalendar.working_days_between | if last < first: | last < first → last <= first":
            "for equal days the count is 0 and -0 == 0",
        "parse_is_workday | if isinstance(value, int) and value in (0, 1): | 0 → 1":
            "0 then falls through to the text '0', which means False as well",
        "_check_rows | elif day is not None and flag is not None: | and → or":
            "with no problem found both are always set",
    },
}

_FLIP = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
_PRELOAD = ("pytest", "pytest_timeout", "sqlalchemy", "sqlalchemy.orm", "alembic", "alembic.config", "fastapi",
            "pydantic", "pydantic_settings", "starlette", "jinja2", "httpx", "chinese_calendar", "cryptography",
            "cryptography.hazmat.primitives.ciphers.aead", "shapely", "numpy", "argon2", "typer")


@dataclass
class Mutant:
    key: str  # "function | source line | change": stable across unrelated edits
    line: int
    start: int  # byte offsets in the source
    end: int
    text: str


class _Finder(ast.NodeVisitor):
    def __init__(self, source: bytes) -> None:
        self.source = source
        self.lines = source.split(b"\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.scope: list[str] = []
        self.found: list[Mutant] = []

    def _span(self, node: ast.AST) -> tuple[int, int]:
        return (self.starts[node.lineno - 1] + node.col_offset, self.starts[node.end_lineno - 1] + node.end_col_offset)

    def _add(self, node: ast.AST, text: str, change: str) -> None:
        start, end = self._span(node)
        where = ".".join(self.scope) or "<module>"
        line = self.lines[node.lineno - 1].decode().strip()
        key = f"{where} | {line} | {change}"
        same = sum(1 for m in self.found if m.key.split(" #")[0] == key)
        self.found.append(Mutant(key + (f" #{same + 1}" if same else ""), node.lineno, start, end, text))

    def _segment(self, node: ast.AST) -> str:
        start, end = self._span(node)
        return self.source[start:end].decode()

    # skipped subtrees: annotations, f-strings, docstrings (strings are never mutated anyway)
    def visit_JoinedStr(self, node):  # noqa: N802
        return

    def visit_AnnAssign(self, node):  # noqa: N802
        if node.value is not None:
            self.visit(node.value)

    def _visit_def(self, node):
        for deco in node.decorator_list:
            self.visit(deco)
        if not isinstance(node, ast.ClassDef):
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                self.visit(default)
        else:
            for base in node.bases:
                self.visit(base)
        self.scope.append(node.name)
        for stmt in node.body:
            self.visit(stmt)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_def  # noqa: N815

    def visit_Compare(self, node):  # noqa: N802
        for i, op in enumerate(node.ops):
            if type(op) in _FLIP:
                new = copy.deepcopy(node)
                new.ops[i] = _FLIP[type(op)]()
                self._add(node, f"({ast.unparse(new)})",
                          f"{ast.unparse(node)} → {ast.unparse(new)}")
        self.generic_visit(node)

    def visit_Constant(self, node):  # noqa: N802
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            self._add(node, str(node.value + 1), f"{node.value} → {node.value + 1}")

    def visit_BoolOp(self, node):  # noqa: N802
        new = copy.deepcopy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self._add(node, f"({ast.unparse(new)})", "and → or" if isinstance(node.op, ast.And) else "or → and")
        self.generic_visit(node)

    def visit_UnaryOp(self, node):  # noqa: N802
        if isinstance(node.op, ast.Not):
            self._add(node, f"({self._segment(node.operand)})", "drop not")
        self.generic_visit(node)

    def visit_Return(self, node):  # noqa: N802
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            self._add(node, "return None", "return None")
        self.generic_visit(node)

    def visit_Expr(self, node):  # noqa: N802
        if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):  # docstring
            self.generic_visit(node)


def mutants_of(source: bytes) -> list[Mutant]:
    finder = _Finder(source)
    finder.visit(ast.parse(source))
    return finder.found


def _run_child(tree: Path, tests: list[str], timeout: float) -> str:
    """'passed', 'failed' or 'timeout': the module's tests run in a forked child on the copy in ``tree``."""
    pid = os.fork()
    if pid == 0:  # the child: import gridgov afresh from the copy, run the tests, leave
        try:
            os.chdir(tree)
            sys.path.insert(0, str(tree / "src"))
            sys.path.insert(0, str(tree))
            sys.dont_write_bytecode = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            import pytest

            code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *FAST, *tests])
        except BaseException:  # noqa: BLE001 - any failure to run is a failure
            code = 99
        os._exit(int(code))
    deadline = time.monotonic() + timeout
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                pid = 0
                return "passed" if os.waitstatus_to_exitcode(status) == 0 else "failed"
            if time.monotonic() > deadline:
                return "timeout"
            time.sleep(0.02)
    finally:
        if pid:  # timed out or interrupted: the child goes too
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _copy_tree(into: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    shutil.copytree(ROOT / "src", into / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", into / "tests", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")


def run_module(module: str, tests: list[str], verbose: bool) -> tuple[int, int, int]:
    """(killed, scored mutants, survivors) for one module; prints its line of the report."""
    equivalent = EQUIVALENT.get(module, {})
    with tempfile.TemporaryDirectory(prefix="gridgov-mutate-") as tmp:
        tree = Path(tmp)
        _copy_tree(tree)
        target = tree / "src" / "gridgov" / module
        original = target.read_bytes()
        target.write_bytes(b"raise RuntimeError('broken on purpose')\n")  # the tests must see the copy
        if _run_child(tree, tests, timeout=600) != "failed":
            raise SystemExit(f"{module}: the tests do not import the module from the temporary copy")
        target.write_bytes(original)
        started = time.monotonic()
        if _run_child(tree, tests, timeout=600) != "passed":
            raise SystemExit(f"{module}: its tests fail without any mutation ({' '.join(tests)})")
        timeout = max(120.0, 10 * (time.monotonic() - started))  # generous: the machine may be busy
        killed, timeouts, survivors, stale = 0, 0, [], []
        mutants = mutants_of(original)
        gone = sorted(set(equivalent) - {m.key for m in mutants})
        equivalent = {k: v for k, v in equivalent.items() if k not in gone}
        try:
            for mutant in mutants:
                mutated = original[:mutant.start] + mutant.text.encode() + original[mutant.end:]
                compile(mutated, str(target), "exec")  # a mutant that does not compile is a bug of this script
                target.write_bytes(mutated)
                outcome = _run_child(tree, tests, timeout)
                target.write_bytes(original)
                if outcome == "passed":
                    if mutant.key not in equivalent:
                        survivors.append(mutant)
                else:
                    if mutant.key in equivalent:
                        stale.append(mutant.key)
                    killed += 1
                    timeouts += outcome == "timeout"
        finally:
            target.write_bytes(original)
    scored = len(mutants) - len(equivalent) + len(stale)
    score = 100.0 * killed / scored if scored else 100.0
    print(f"{module:24} {score:5.1f} %  {killed}/{scored} killed, {len(survivors)} survived,"
          f" {len(equivalent) - len(stale)} equivalent, {timeouts} timed out"
          f"  ({time.monotonic() - started:.0f} s)", flush=True)
    for mutant in survivors if verbose else []:
        print(f"    survived  {mutant.key}   [line {mutant.line}]")
    for key in stale:
        print(f"    listed as equivalent but killed (remove it from EQUIVALENT): {key}")
    for key in gone:
        print(f"    listed as equivalent but no such mutant any more (update EQUIVALENT): {key}")
    return killed, scored, len(survivors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths under src/gridgov (default: every module of the table)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the surviving mutants")
    parser.add_argument("--list", action="store_true", help="only list the mutants, run nothing")
    parser.add_argument("--fail-under", type=float, default=None, help="exit 1 if a module scores below this")
    args = parser.parse_args(argv)
    modules = args.modules or list(TABLE)
    unknown = [m for m in modules if m not in TABLE]
    if unknown:
        parser.error(f"not in the table: {', '.join(unknown)}")
    if args.list:
        for module in modules:
            for mutant in mutants_of((ROOT / "src" / "gridgov" / module).read_bytes()):
                print(f"{module}:{mutant.line}  {mutant.key}")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the temporary copy is removed
    for name in _PRELOAD:  # shared by every forked child; gridgov itself is never imported here
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    assert not any(name == "gridgov" or name.startswith("gridgov.") for name in sys.modules)
    below = []
    for module in modules:
        killed, scored, _ = run_module(module, TABLE[module], args.verbose)
        if args.fail_under is not None and scored and 100.0 * killed / scored < args.fail_under:
            below.append(module)
    if below:
        print(f"below {args.fail_under} %: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
