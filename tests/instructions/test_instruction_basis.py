"""A refusal cites an article only when the setting it rests on comes from the text (never a local default)."""

from gridgov.instructions.service import _basis
from gridgov.policy.loader import load_profile


def test_a_refusal_cites_the_text_and_never_a_local_default():
    assert _basis(load_profile("zhenjiang")) == "（ZJ§8）"  # staff.may_refuse = ZJ§8
    assert _basis(load_profile("jiangsu"), "catalogue.forbidden_power_types") == "（JS§16）"
    assert _basis(load_profile("jiangmen")) == ""  # default: JM§23 is the city's choice, not JM§23's words
    assert _basis(load_profile("qinzhou"), "catalogue.forbidden_power_types") == ""  # default: QZ§14
    assert _basis(None) == ""
