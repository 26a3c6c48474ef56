"""The house's import rules hold: the import-linter contracts of pyproject.toml ([tool.importlinter]).

``lint-imports`` runs here, so ``make test`` and CI check the layers (kit < models < authz < domains < app and
CLI), that no package imports in a cycle, and that no domain reaches into another's repository or adapters.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]

# Imports that would break a contract and are allowed, each with its reason. import-linter fails on an
# ignored import that is no longer in the graph, so an entry that has become unnecessary fails the test.
KNOWN_BREAKS: list[str] = []

# The modules that are a domain's own: its queries and its adapters.
INTERNAL = re.compile(r"^(repository|api|web|\w+_api|\w+_web|web_\w+)$")


def _contracts() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _toml(config: dict) -> str:
    """The [tool.importlinter] table back as TOML (JSON's strings, lists and booleans are TOML's too)."""
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in config.items() if k != "contracts"]
    for contract in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"


def _lint_imports() -> str:
    found = Path(sys.executable).with_name("lint-imports")
    return str(found) if found.exists() else (shutil.which("lint-imports") or "lint-imports")


def test_the_import_contracts_hold(tmp_path):
    config = _contracts()
    for contract in config["contracts"]:
        contract["ignore_imports"] = sorted(set(contract.get("ignore_imports", [])) | set(KNOWN_BREAKS))
    path = tmp_path / "importlinter.toml"
    path.write_text(_toml(config), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([_lint_imports(), "--no-cache", str(path)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_internal_module_of_a_domain_is_protected():
    graph = grimp.build_graph("gridgov")
    protected = {c["id"].removesuffix("-internals"): set(c["protected_modules"])
                 for c in _contracts()["contracts"] if c["type"] == "protected"}
    internal: dict[str, set[str]] = {}
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) >= 3 and INTERNAL.match(parts[-1]) and parts[1] != "web":
            internal.setdefault(parts[1], set()).add(module)
    missing = {package: sorted(modules - protected.get(package, set())) for package, modules in internal.items()}
    missing = {package: modules for package, modules in missing.items() if modules}
    assert not missing, f"请把这些模块加入 pyproject.toml 中该包的 protected 合约（或新增 <包>-internals）：{missing}"
