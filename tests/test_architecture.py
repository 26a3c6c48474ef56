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

ROOT = Path(__file__).resolve().parents[1]

# Imports that break a contract today and that another engineer of issue 12 is removing. They are ignored here,
# and only while they exist: import-linter fails on an ignored import that is no longer in the graph, so once
# the work is merged this test fails until the line is deleted. The contracts themselves are as they must be.
KNOWN_BREAKS = [
    # TODO(issue 12, pages mounted where the API is): app.py mounts the page routers and web/pages.py goes.
    "gridgov.web.pages -> gridgov.accounts.admin_web",
    "gridgov.web.pages -> gridgov.accounts.web",
    "gridgov.web.pages -> gridgov.audit.web",
    "gridgov.web.pages -> gridgov.cases.instructions_web",
    "gridgov.web.pages -> gridgov.cases.web",
    "gridgov.web.pages -> gridgov.catalogue.public_web",
    "gridgov.web.pages -> gridgov.catalogue.web",
    "gridgov.web.pages -> gridgov.notify.web",
    "gridgov.web.pages -> gridgov.public.web",
    "gridgov.web.pages -> gridgov.staff.web",
    "gridgov.web.pages -> gridgov.territory.adjustments_web",
    "gridgov.web.pages -> gridgov.territory.web",
    # TODO(issue 12, audit does not import catalogue): catalogue registers its action labels with audit.
    "gridgov.audit.service -> gridgov.catalogue.rules",
    # TODO(issue 12, cases holds one aggregate): the who-may-act facts leave actions.py; service.py imports
    # them at the top and actions.py no longer needs service.py.
    "gridgov.cases.service -> gridgov.cases.actions",
]

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
