"""Text in every request is text: no control characters, no lone surrogates, no absurd JSON nesting.

One plain ASGI middleware (see :class:`InputGuardMiddleware`) looks at each request before any route
or database sees it:

- the path and the query string, decoded as UTF-8: refused at once;
- a JSON body (``application/json``, ``*+json``): the literals NaN and Infinity, control-character escapes
  (``\\u0000``..``\\u001f`` other than tab, newline and return, ``\\b``, ``\\f``, DEL), lone UTF-16 surrogates
  (``\\ud800``), invalid UTF-8, and nesting deeper than :data:`MAX_JSON_DEPTH`;
- an urlencoded form body, decoded like the query string;
- the text fields of a multipart form (and the file names), parsed as the body streams past.

The body is checked as the application reads it (the middleware wraps ``receive``), so it reads nothing
the application would not read, and a body-size limit in front of the route still applies first. A bad
body raises :class:`BadInput`, an HTTPException that the app's handler turns into a 422 JSON error (or
error page), before any route code runs. Why: PostgreSQL refuses NUL in text (500), a lone surrogate
cannot be encoded (500), and ``json.loads`` of 10,000 nested lists raises RecursionError (500).

Allowed: tab, newline and carriage return; everything from U+0020 up except DEL and the surrogates.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, unquote_plus

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from gridgov.web.templating import render_error, wants_json

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a JSON body may have (ours need 4)."""

BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""C0 controls except tab, newline and return; DEL; UTF-16 surrogates (only lone ones survive decoding)."""

_SUSPECT_JSON = re.compile(rb"\\u(?:00[01]|007[fF]|[dD][89a-fA-F])|\\[bf]|\x7f|(?-i:NaN|Infinity)", re.IGNORECASE)
"""Bytes that may decode to a bad character; most bodies have none and are passed by one search."""

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")

MESSAGE = "含有不允许的字符（如 NUL 等控制字符、孤立的代理字符或无效的 UTF-8 编码）"


class BadInput(HTTPException):
    """A request whose text is not text: answered 422 with a Chinese message."""

    code = "bad_input"

    def __init__(self, where: str, message: str = MESSAGE) -> None:
        super().__init__(status_code=422, detail=f"{where}{message}")
        self.message = message


def bad_text(text: str) -> bool:
    return BAD_CHAR.search(text) is not None


def _decode(raw: bytes, *, plus: bool) -> str:
    """Percent-decodes URL text as UTF-8, keeping lone surrogates visible; UnicodeDecodeError if not UTF-8."""
    text = raw.decode("latin-1")
    if plus:
        return unquote_plus(text, encoding="utf-8", errors="surrogatepass")
    return unquote(text, encoding="utf-8", errors="surrogatepass")


def check_url_text(raw: bytes, where: str, *, plus: bool) -> None:
    try:
        text = _decode(raw, plus=plus)
    except UnicodeDecodeError:
        raise BadInput(where) from None
    if bad_text(text):
        raise BadInput(where)


def check_json(body: bytes) -> None:
    """Raises BadInput for a JSON body with a bad character or nested deeper than MAX_JSON_DEPTH.

    Fast path (almost every body): two byte counts and one regex search, all in C."""
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput("请求内容") from None
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _depth(body) > MAX_JSON_DEPTH:
        raise BadInput("请求内容", f"的 JSON 嵌套太深（最多 {MAX_JSON_DEPTH} 层）")
    if _SUSPECT_JSON.search(body) is None:
        return
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except _NotANumber:
        raise BadInput("请求内容", "含有 JSON 不允许的 NaN 或 Infinity") from None
    except (ValueError, RecursionError):
        return  # not JSON: the route's own parsing answers 422
    if _walk_bad(value):
        raise BadInput("请求内容")


class _NotANumber(Exception):
    pass


def _no_constant(name: str):
    """Python's json takes NaN and ±Infinity, which JSON does not have (and ``inf`` hours overflow)."""
    raise _NotANumber(name)


def load_json(body: bytes, where: str = "文件"):
    """``json.loads`` for a route that parses JSON itself (an uploaded file): the same rules, then the value.

    Raises Invalid (422, so the route's own error handling shows it) for bad text or nesting,
    ValueError (JSONDecodeError, UnicodeDecodeError) if it is not JSON."""
    from gridgov.errors import Invalid

    try:
        check_json(body)
    except BadInput as exc:
        raise Invalid(f"{where}{exc.message}") from None
    return json.loads(body)


def _depth(body: bytes) -> int:
    deepest = depth = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _walk_bad(value) -> bool:
    if isinstance(value, str):
        return bad_text(value)
    if isinstance(value, dict):
        return any(bad_text(k) or _walk_bad(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_walk_bad(v) for v in value)
    return False


class _MultipartText:
    """Streams a multipart body through python-multipart, checking the text fields and file names."""

    def __init__(self, boundary: bytes) -> None:
        self.field = b""
        self.value = b""
        self.headers: dict[bytes, bytes] = {}
        self.data = bytearray()
        self.is_file = False
        self.bad = False
        self.broken = False
        self.parser = MultipartParser(boundary, {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        })

    def _begin(self) -> None:
        self.headers, self.data, self.is_file = {}, bytearray(), False
        self.field = self.value = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def _header_end(self) -> None:
        self.headers[self.field.lower()] = self.value
        self.field = self.value = b""

    def _headers_finished(self) -> None:
        disposition = self.headers.get(b"content-disposition", b"")
        _kind, options = parse_options_header(disposition)
        self.is_file = b"filename" in options
        if self._bad_bytes(disposition):
            self.bad = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.is_file:
            self.data += data[start:end]

    def _part_end(self) -> None:
        if not self.is_file and self._bad_bytes(bytes(self.data)):
            self.bad = True

    @staticmethod
    def _bad_bytes(raw: bytes) -> bool:
        try:
            return bad_text(raw.decode("utf-8", errors="surrogatepass"))
        except UnicodeDecodeError:
            return True

    def feed(self, chunk: bytes) -> None:
        if self.broken:
            return
        try:
            self.parser.write(chunk)
        except (FormParserError, ValueError):
            self.broken = True  # a malformed body: Starlette's own parser answers for it
            return
        if self.bad:
            raise BadInput("表单字段")


def _content_type(scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value
    return b""


class InputGuardMiddleware:
    """Refuses a request whose path, query or body text holds a control character or lone surrogate."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_url_text(scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass"), "网址路径",
                           plus=False)
            if scope.get("query_string"):
                check_url_text(scope["query_string"], "查询参数", plus=True)
        except BadInput as exc:
            await _refuse(scope, exc)(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        kind, options = parse_options_header(_content_type(scope))
        if kind == b"application/json" or kind.endswith(b"+json"):
            await self.app(scope, _buffered(receive, check_json), send)
        elif kind == b"application/x-www-form-urlencoded":
            await self.app(scope, _buffered(receive, lambda body: check_url_text(body, "表单内容", plus=True)), send)
        elif kind == b"multipart/form-data" and options.get(b"boundary"):
            await self.app(scope, _streamed(receive, _MultipartText(options[b"boundary"])), send)
        else:
            await self.app(scope, receive, send)


def _buffered(receive, check):
    """``receive`` that checks the whole body as its last chunk goes to the application."""
    chunks: list[bytes] = []

    async def wrapped():
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(chunks)
                chunks.clear()
                if body:
                    check(body)
        return message

    return wrapped


def _streamed(receive, parser: _MultipartText):
    async def wrapped():
        message = await receive()
        if message["type"] == "http.request":
            parser.feed(message.get("body", b""))
        return message

    return wrapped


def _refuse(scope, exc: BadInput):
    request = Request(scope)
    body = {"detail": exc.detail, "code": exc.code}
    if wants_json(request):
        return JSONResponse(body, status_code=exc.status_code)
    return render_error(request, exc.status_code, exc.detail, None)
