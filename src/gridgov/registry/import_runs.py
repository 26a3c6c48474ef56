"""Register imports in the background, with progress (issue 15: "all or nothing, with progress for
large files").

``start_run`` records a run (``registry_import_runs``, state ``queued``) in the request's
transaction; :func:`run_import` then does the work in a background thread of the server process
with a session of its own:

1. it reads the file and marks the run ``running`` with its row count (a short transaction);
2. it checks and writes every row in ONE transaction (:func:`gridgov.registry.importing.import_rows`,
   all or nothing), and marks the run ``done`` in that same transaction, so a run reads ``done``
   exactly when its rows are committed;
3. on a bad file or bad rows it rolls the rows back and marks the run ``failed`` with each bad
   row's line, column and reason (a short transaction): nothing is written.

**Where progress lives.** While the rows' transaction is open it holds SQLite's write lock; a
progress UPDATE from another connection would wait for that very transaction (and an UPDATE in it
is invisible to pollers until the commit). So the progress of each batch goes to a
:class:`Board` in the process's memory (``app.state``), which the poller's read overlays on the
run's row; the row itself gets the count when the run starts and the result when it ends. This
works alike on SQLite and PostgreSQL. ``gridgov serve`` runs one process; a run left ``queued`` or
``running`` in the table by an earlier process (the server stopped mid-run: its rows were never
committed) is shown as ``failed`` (:data:`INTERRUPTED`), since no board of this process holds it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from threading import Lock

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from gridgov.authz import scope
from gridgov.authz.principal import Principal
from gridgov.errors import Conflict, DomainError, Invalid, NotFound
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.models.registry import ImportRun
from gridgov.registry import importing, layout

log = logging.getLogger(__name__)

MAX_ERRORS = 1000
"""Bad-row entries kept on a failed run (the message still counts every bad row)."""

LIVE = ("queued", "running")

INTERRUPTED = "服务重启，导入已中断，未写入任何数据，请重新导入"


class Board:
    """The progress of this process's running imports: run id → (user id, done, total)."""

    def __init__(self) -> None:
        self.since = utc_now()
        """Made before this process records its first run: older live runs belong to no process."""
        self._lock = Lock()
        self._runs: dict[int, tuple[int | None, int, int]] = {}

    def update(self, run_id: int, user_id: int | None, done: int, total: int) -> None:
        with self._lock:
            self._runs[run_id] = (user_id, done, total)

    def get(self, run_id: int) -> tuple[int, int] | None:
        with self._lock:
            entry = self._runs.get(run_id)
        return None if entry is None else entry[1:]

    def busy(self, user_id: int | None) -> bool:
        with self._lock:
            return any(entry[0] == user_id for entry in self._runs.values())

    def end(self, run_id: int) -> None:
        with self._lock:
            self._runs.pop(run_id, None)


_BOARD_LOCK = Lock()


def board_of(state) -> Board:
    """The app's board (made on first use)."""
    with _BOARD_LOCK:
        board = getattr(state, "import_board", None)
        if board is None:
            board = state.import_board = Board()
        return board


def view(run: ImportRun, board: Board) -> dict:
    done, total, state, message = run.done, run.total, run.state, run.message
    live = board.get(run.id) if state in LIVE else None
    if live is not None:
        (done, total), state = live, "running"
    elif state in LIVE and run.created_at < board.since:
        state, message = "failed", INTERRUPTED
    return {"id": run.id, "kind": run.kind, "state": state, "done": done, "total": total, "created": run.created,
            "message": message, "errors": run.errors or [], "created_at": run.created_at,
            "started_at": run.started_at, "finished_at": run.finished_at}


def start_run(session: Session, me: Principal, kind: str, content: bytes, *, board: Board, now: datetime) -> dict:
    """Records a queued run after the checks a request can make at once. Does not commit."""
    if kind not in layout.LAYOUTS:
        raise Invalid("导入类型应为 addresses、houses、people 或 units")
    if not content:
        raise Invalid("文件为空")
    if len(content) > importing.MAX_FILE_BYTES:
        raise Invalid(f"文件不能超过 {importing.MAX_FILE_BYTES // 1024 // 1024} MB")
    if board.busy(me.user_id or None):
        raise Conflict("您已有一个导入正在进行，请等它结束后再导入")
    run = ImportRun(kind=kind, user_id=me.user_id or None, scope_code=me.scope_code, state="queued", done=0, total=0,
                    created=0, message="", errors=[], created_at=now)
    session.add(run)
    session.flush()
    return view(run, board)


def get_run(session: Session, me: Principal, run_id: int, *, board: Board) -> dict:
    """The run, if ``me`` started it or it was started inside ``me``'s jurisdiction (else 404)."""
    run = scope.get_visible(session, me, ImportRun, run_id)
    if run is None:
        raise NotFound("导入记录不存在")
    return view(run, board)


def _mark(session: Session, me: Principal, run_id: int, **values) -> None:
    session.execute(scope.scoped(update(ImportRun).where(ImportRun.id == run_id), me, ImportRun).values(**values))


def run_import(factory: sessionmaker[Session], board: Board, run_id: int, me: Principal, kind: str, content: bytes,
               filename: str, cipher: FieldCipher) -> None:
    """The background work of one run (an edge: it commits). Never raises."""
    user = me.user_id or None
    board.update(run_id, user, 0, 0)
    session = factory()
    try:
        try:
            rows = importing.read_rows(kind, content, filename)
            total = len(rows)
            _mark(session, me, run_id, state="running", total=total, started_at=utc_now())
            session.commit()
            board.update(run_id, user, 0, total)
            created = importing.import_rows(session, me, kind, rows, cipher=cipher, now=utc_now(),
                                            progress=lambda done, _total: board.update(run_id, user, done, total))
            _mark(session, me, run_id, state="done", done=created, total=total, created=created,
                  finished_at=utc_now())
            session.commit()
        except DomainError as exc:
            session.rollback()
            errors = list(exc.details or [])[:MAX_ERRORS]
            _mark(session, me, run_id, state="failed", message=exc.message[:200], errors=errors, finished_at=utc_now())
            session.commit()
        except Exception as exc:  # noqa: BLE001 - the run must end failed whatever went wrong
            session.rollback()
            log.error("registry import run %s failed: %s", run_id, type(exc).__name__)  # no cell values in the log
            _mark(session, me, run_id, state="failed", message="导入时发生内部错误，未写入任何数据",
                  finished_at=utc_now())
            session.commit()
    except Exception:  # noqa: BLE001 - recording the failure failed: the run stays as it was
        session.rollback()
        log.error("registry import run %s: its end could not be recorded", run_id)
    finally:
        board.end(run_id)
        session.close()
