"""``cases.extension_approved_by`` left the schema and the five files: it had one possible value
(the dispatching agency), no article behind it (no text says who approves an extension) and no code
read it; the agency holding the case grants or refuses extensions, as the lifecycle table says."""

from __future__ import annotations

import pytest

from gridgov.policy.loader import PROFILES_DIR, ProfileError, available_profiles, load_profile, parse_profile
from gridgov.policy.schema import Cases


@pytest.mark.parametrize("name", available_profiles())
def test_extension_approved_by_left_the_schema_and_every_profile(name):
    assert "extension_approved_by" not in Cases.model_fields
    text = (PROFILES_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert "extension_approved_by" not in text
    assert load_profile(name).cases.limits.reopen_days >= 1

    data = load_profile(name).model_dump(mode="json")
    data["cases"]["extension_approved_by"] = "dispatching_agency"
    with pytest.raises(ProfileError, match="extension_approved_by"):  # a key that would do nothing is refused
        parse_profile(data, source=f"{name}.toml")
