"""Wrap the lines ruff reports as too long (E501) at a comma inside brackets, in the house's own style.

The house wraps by hand: the continuation lines up under the opening bracket (or keeps the hanging indent of a
bracket that ends its line), filling each line as far as it goes. `ruff format` would instead explode whole
statements one argument a line; this breaks only the lines that are too long, at the last comma of the
shallowest bracket that still fits. Lines without such a comma (long strings, comments) are listed for a hand fix.

Usage, from the repository root: python wrap.py [RUFF]   (RUFF defaults to .venv/bin/ruff)
"""
import io
import subprocess
import sys
import tokenize
import unicodedata

RUFF = sys.argv[1] if len(sys.argv) > 1 else ".venv/bin/ruff"
LIMIT = 120
MAX_INDENT = 60
OPEN, CLOSE = "([{", ")]}"


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def long_lines() -> dict[str, list[int]]:
    out = subprocess.run([RUFF, "check", "--select", "E501", "--output-format", "concise", "src", "tests", "bench"],
                         capture_output=True, text=True).stdout
    found: dict[str, list[int]] = {}
    for row in out.splitlines():
        parts = row.split(":")
        if len(parts) > 2 and parts[1].isdigit():
            found.setdefault(parts[0], []).append(int(parts[1]))
    return found


def _indent_of(lines, bracket):
    brow, bcol, _bi = bracket
    return width(lines[brow - 1][: bcol + 1])


def wrap_file(path: str, targets: list[int]) -> int:
    src = open(path).read()
    lines = src.split("\n")
    tokens = list(tokenize.generate_tokens(io.StringIO(src).readline))
    stack: list[tuple[int, int, int]] = []  # (row, col, index of token) of open brackets
    commas: dict[int, list[tuple[int, int, tuple]]] = {}  # row -> (end col, depth, innermost bracket)
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.OP and tok.string in OPEN:
            stack.append((tok.start[0], tok.start[1], i))
        elif tok.type == tokenize.OP and tok.string in CLOSE:
            stack.pop()
        elif tok.type == tokenize.OP and tok.string == "," and stack and tok.start[0] in targets:
            nxt = tokens[i + 1]
            if nxt.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT) or (
                    nxt.type == tokenize.OP and nxt.string in CLOSE and nxt.start[0] == tok.start[0]
                    and tokens[i + 2].type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)):
                continue  # nothing worth moving after this comma
            commas.setdefault(tok.start[0], []).append((tok.end[1], len(stack), stack[-1]))
    changed = 0
    for row in sorted(targets, reverse=True):
        line = lines[row - 1]
        fits = [c for c in commas.get(row, []) if width(line[:c[0]]) <= LIMIT and _indent_of(lines, c[2]) <= MAX_INDENT]
        if not fits:
            continue
        shallow = min(c[1] for c in fits)
        col, _depth, (brow, bcol, bi) = max(c for c in fits if c[1] == shallow)
        if col < 40 and max(fits)[0] > 80:
            col, _depth, (brow, bcol, bi) = max(fits)
        blast = tokens[bi + 1].type in (tokenize.NL, tokenize.COMMENT)
        bline = lines[brow - 1]
        if blast:  # hanging bracket: continue at the indent of the line being split (or 4 in from the bracket's line)
            base = line[: len(line) - len(line.lstrip())]
            indent = base if brow != row else bline[: len(bline) - len(bline.lstrip())] + "    "
        else:  # visual: line up under the first thing after the bracket
            indent = " " * width(bline[: bcol + 1])
        if width(indent) > MAX_INDENT:
            continue  # a continuation this far right reads badly: left to range_format.sh
        rest = line[col:].lstrip()
        tail = indent + rest
        after = lines[row] if row < len(lines) else ""
        if (tail.rstrip().endswith(",") and "#" not in tail and after.startswith(indent)
                and after[len(indent):][:1] not in ("", " ", ")", "]", "}")
                and width(tail.rstrip() + " " + after.lstrip()) <= LIMIT):
            # the rest joins the next line of the same bracket rather than standing alone
            lines[row - 1: row + 1] = [line[:col].rstrip(), tail.rstrip() + " " + after.lstrip()]
        else:
            lines[row - 1: row] = [line[:col].rstrip(), tail]
        changed += 1
    if changed:
        open(path, "w").write("\n".join(lines))
    return changed


def main() -> None:
    for _round in range(8):
        found = long_lines()
        done = sum(wrap_file(path, rows) for path, rows in found.items())
        if not done:
            break
    for path, rows in sorted(long_lines().items()):
        for row in rows:
            print(f"by hand: {path}:{row}")


main()
