"""The recognition section: the points a registered volunteer or informant earns for its reports
(issue 18; volunteers and informants, :mod:`gridgov.cogovernance.volunteers`).

ZJ§23 encourages couriers and delivery riders (快递员、网约配送员等新就业群体) to provide information
and volunteers to take part (鼓励…参与); JM§14 asks the agencies to set up an incentive mechanism that
praises and rewards the people who take part (建立…激励机制，定期对…个人进行表扬和奖励). No text sets
a number: every value is a local default (``default: ZJ§23`` or ``default: JM§14`` where the profile's
own text asks for encouragement). Read by :mod:`gridgov.cogovernance.volunteers_rules` (the points on a
volunteer's record and the ranking).
"""

from __future__ import annotations

from pydantic import Field

from gridgov.policy.schema.base import _Model


class Recognition(_Model):
    """Points of volunteers and informants (积分)."""

    per_report: int = Field(title="每条上报的积分", ge=0, le=1000)
    """Every report made through the resident channel under the registered identity."""
    per_accepted: int = Field(title="上报被受理（未被不予受理）另加的积分", ge=0, le=1000)
    """Added when the report's case went past verification and was not rejected."""
    per_closed: int = Field(title="上报的事件办结（已结案）另加的积分", ge=0, le=1000)
    """Added when the report's case is closed."""
