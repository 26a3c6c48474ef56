"""Queries on instructions, scoped through the door (:mod:`gridgov.authz.scope`): departments see
their own requests, agencies the instructions of the grids they hold, grid staff only what was sent
to them. The few that work for the system (names, the sender's area, the case an instruction
became) say so by passing ``SYSTEM``."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.models import Case, Department, Instruction, Matter, User


def get_instruction(session: Session, principal: Principal, instruction_id: int, *,
                    for_update: bool = False) -> Instruction | None:
    stmt = scoped(select(Instruction).where(Instruction.id == instruction_id), principal, Instruction)
    return session.scalar(stmt.with_for_update() if for_update else stmt)


def list_instructions(session: Session, principal: Principal, *, status: str | None = None, grid: str | None = None,
                      limit: int = 200) -> list[Instruction]:
    stmt = scoped(select(Instruction), principal, Instruction)
    if status:
        stmt = stmt.where(Instruction.status == status)
    if grid:
        stmt = stmt.where(Instruction.grid_code.startswith(grid))
    return list(session.scalars(stmt.order_by(Instruction.created_at.desc(), Instruction.id.desc()).limit(limit)))


def case_numbers(session: Session, instruction_ids: Collection[int]) -> dict[int, str]:
    """Instruction id → the number of the case registered from it, for instructions already scoped."""
    if not instruction_ids:
        return {}
    stmt = scoped(select(Case.instruction_id, Case.case_no).where(Case.instruction_id.in_(list(instruction_ids))),
                  SYSTEM, Case)
    return dict(session.execute(stmt).all())


def case_of(session: Session, instruction_id: int) -> str | None:
    """The number of the case registered from an instruction already opened (one per instruction)."""
    return session.scalar(scoped(select(Case.case_no).where(Case.instruction_id == instruction_id), SYSTEM, Case))


def department_names(session: Session, codes: Collection[str]) -> dict[str, str]:
    """Code → name of the departments that asked for instructions already scoped."""
    if not codes:
        return {}
    stmt = scoped(select(Department.code, Department.name).where(Department.code.in_(list(codes))), SYSTEM, Department)
    return dict(session.execute(stmt).all())


def move(session: Session, instruction_id: int, expected: str, **values) -> bool:
    """Sets ``values`` on the instruction if its status is still ``expected`` (a conditional UPDATE of
    an instruction just opened through the door); False when someone else moved it first."""
    done = session.execute(
        scoped(update(Instruction).where(Instruction.id == instruction_id, Instruction.status == expected), SYSTEM,
               Instruction).values(**values).returning(Instruction.id),
        execution_options={"synchronize_session": "fetch"},
    ).first()
    return done is not None


def power_type(session: Session, matter_code: str) -> str | None:
    """The kind of power of the matter an instruction names (matters are published: C5)."""
    return session.scalar(select(Matter.power_type).where(Matter.code == matter_code))


def user_area(session: Session, user_id: int) -> str | None:
    """Where a user (the sender of an instruction already scoped) works, to tell its agency."""
    return session.scalar(scoped(select(User.scope_code).where(User.id == user_id), SYSTEM, User))
