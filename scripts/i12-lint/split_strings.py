"""Split a string literal that makes its line too long into two adjacent literals, the second under the first.

Only a one-line, single-quoted string inside brackets (where adjacent literals join), split after Chinese
punctuation or a space and never inside an f-string's {field}. Usage: python split_strings.py [RUFF]
"""
import io
import subprocess
import sys
import tokenize
import unicodedata

RUFF = sys.argv[1] if len(sys.argv) > 1 else ".venv/bin/ruff"
LIMIT = 120
BREAK_AFTER = "，。；：、）！？ "


def width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def long_lines():
    out = subprocess.run([RUFF, "check", "--select", "E501", "--output-format", "concise", "src", "tests", "bench"],
                         capture_output=True, text=True).stdout
    found = {}
    for row in out.splitlines():
        parts = row.split(":")
        if len(parts) > 2 and parts[1].isdigit():
            found.setdefault(parts[0], []).append(int(parts[1]))
    return found


def fields_closed(body, upto):
    depth, i = 0, 0
    while i < upto:
        c = body[i]
        if c in "{}" and body[i:i + 2] == c * 2 and depth == 0:
            i += 2
            continue
        depth += 1 if c == "{" else -1 if c == "}" else 0
        i += 1
    return depth == 0 and i == upto


def has_field(part):
    return "{" in part.replace("{{", "").replace("}}", "")


def split_file(path, targets):
    src = open(path).read()
    lines = src.split("\n")
    depth = 0
    todo = {}
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.STRING and tok.start[0] in targets and tok.start[0] == tok.end[0] and depth > 0:
            todo.setdefault(tok.start[0], []).append(tok)
    changed = 0
    for row in sorted(todo, reverse=True):
        line = lines[row - 1]
        for tok in reversed(todo[row]):
            s = tok.string
            prefix = s[: len(s) - len(s.lstrip("rRfFuU"))]
            quote = s[len(prefix)]
            if s[len(prefix):].startswith(quote * 3) or "b" in prefix.lower() or "r" in prefix.lower():
                continue
            body = s[len(prefix) + 1: -1]
            start = tok.start[1] + len(prefix) + 1
            best = None
            for i in range(1, len(body) - 1):
                if body[i - 1] in BREAK_AFTER and body[i - 1] != "\\" and width(line[: start + i]) + 1 <= LIMIT:
                    if "f" in prefix.lower() and not fields_closed(body, i):
                        continue
                    best = i
            if best is None or best < 8:
                continue
            a, b = body[:best], body[best:]
            pa = prefix.replace("f", "").replace("F", "") + ("f" if "f" in prefix.lower() and has_field(a) else "")
            pb = prefix.replace("f", "").replace("F", "") + ("f" if "f" in prefix.lower() and has_field(b) else "")
            if "f" in prefix.lower():
                a = a if has_field(a) else a.replace("{{", "{").replace("}}", "}")
                b = b if has_field(b) else b.replace("{{", "{").replace("}}", "}")
            indent = " " * width(line[: tok.start[1]])
            head = line[: tok.start[1]] + pa + quote + a + quote
            tail = indent + pb + quote + b + quote + line[tok.end[1]:]
            lines[row - 1: row] = [head, tail]
            changed += 1
            break
    if changed:
        open(path, "w").write("\n".join(lines))
    return changed


for _round in range(4):
    if not sum(split_file(p, rows) for p, rows in long_lines().items()):
        break
for p, rows in sorted(long_lines().items()):
    for r in rows:
        print(f"by hand: {p}:{r}")
