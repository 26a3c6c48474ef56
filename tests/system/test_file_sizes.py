"""No Python file of the project grows past 500 lines: a file that long holds more than one idea and
should be split by vocabulary or by aggregate (as policy/schema/ and territory/demo_data.py were)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 500


def test_no_python_file_is_over_500_lines():
    too_long = {}
    for folder in ("src", "tests", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            lines = path.read_text(encoding="utf-8").count("\n")
            if lines > LIMIT:
                too_long[str(path.relative_to(ROOT))] = lines
    assert not too_long, f"这些文件超过 {LIMIT} 行，请按主题拆分：{too_long}"
