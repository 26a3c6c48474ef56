"""What the webhook tests share: the receiver, an app whose webhooks may reach loopback, cases moved
through the real services at the times a test picks, and the job run at an injected ``now``."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import actions, service
from gridgov.cases.schemas import CaseCreate
from gridgov.interop import webhooks_job
from gridgov.models import Case, User
from gridgov.models.webhooks import WebhookDelivery

CITY = "321100000000"
SECRET = "s3cret-of-the-department-system"


def places(db):
    return demo_places(db, CITY)


def user(db, username: str) -> User:
    return db.scalar(select(User).where(User.username == username))


def who(db, username: str) -> Principal:
    u = user(db, username)
    return Principal(user_id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                     scope_code=u.scope_code, department_code=u.department_code)


def as_client(app, api_key: str) -> TestClient:
    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {api_key}"
    return c


def subscribe(client: TestClient, url: str, events=("*",), secret: str = SECRET) -> int:
    r = client.post("/api/v1/webhooks", json={"url": url, "events": list(events), "secret": secret})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def report(app, db, grid: str, now: datetime, *, username: str = "worker") -> str:
    data = CaseCreate(title="占道经营堵塞通道", category="zj12_02", source="patrol", grid_code=grid,
                      address="中山路 8 号")
    new = service.create_case(db, who(db, username), data, now=now, profile=app.state.profile,
                              cipher=app.state.cipher, media_root=app.state.settings.media_path)
    return new.case.case_no


def act(app, db, username: str, case_no: str, action: str, now: datetime, **payload) -> None:
    actions.act(db, who(db, username), case_no, action, payload, now=now, profile=app.state.profile,
                media_root=app.state.settings.media_path)
    db.flush()


def deliver(app, now: datetime) -> str | None:
    """One round of the webhook job, as ``gridgov serve``'s worker runs it (loopback allowed)."""
    return webhooks_job.run(app.state.sessionmaker, now, app.state.profile, app.state.cipher, policy="any")


def delivery_states(db, case_no: str) -> list[str]:
    db.expire_all()
    case_id = db.scalar(select(Case.id).where(Case.case_no == case_no))
    return list(db.scalars(select(WebhookDelivery.status).where(WebhookDelivery.case_id == case_id)
                           .order_by(WebhookDelivery.id)))
