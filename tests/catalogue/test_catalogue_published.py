"""The list of grid work is published in every text, so no profile setting says whether it is
(``catalogue.published`` left the schema): the public list pages always exist (C5)."""

from __future__ import annotations

import pytest

from gridgov.policy.loader import load_profile
from gridgov.policy.schema import Catalogue

from .test_catalogue_starter import REGULATIONS, article_text

PUBLISHED_BY = {"zhenjiang": 7, "luzhou": 15, "jiangsu": 10, "qinzhou": 7, "jiangmen": 9}


@pytest.mark.req("C5")
@pytest.mark.parametrize("name", list(PUBLISHED_BY))
def test_every_text_publishes_its_list_so_no_setting_decides_it(name):
    assert "published" not in Catalogue.model_fields
    profile = load_profile(name)
    if not (REGULATIONS / profile.regulation.text_file).is_file():
        pytest.skip("条例原文不在 shared/regulations/")
    text = article_text(profile, PUBLISHED_BY[name])
    assert "清单" in text and "向社会公布" in text, name
