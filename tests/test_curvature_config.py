"""The per-issue curvature of a partner's values: read, validated, and used for no deal."""

from __future__ import annotations

import copy

import pytest
from omegaconf import OmegaConf

from sim.config import ConfigError, load_study
from sim.core.values import shape
from sim.model.talks import Talks
from tests.conftest import compose_config


@pytest.fixture(scope="module")
def plain() -> dict:
    return OmegaConf.to_container(compose_config(), resolve=True)


def with_curvature(plain: dict, mapping: object) -> dict:
    data = copy.deepcopy(plain)
    data["scenario"]["partners"]["VNM"]["curvature"] = mapping
    return data


def test_listed_issues_are_concave_the_others_linear(plain):
    partner = load_study(with_curvature(plain, {"reciprocal": 3.0, "ntb": {"us": 2.0}})).scenario.partners["VNM"]
    assert partner.issues["reciprocal"].curvature == 3.0 and partner.issues["reciprocal"].us_curvature == 3.0
    assert partner.issues["reciprocal"].shape == "concave"
    assert (partner.issues["ntb"].curvature, partner.issues["ntb"].us_curvature) == (0.0, 2.0)
    assert partner.issues["purchases"].shape == "linear"
    assert load_study(with_curvature(plain, None)).scenario.partners["VNM"].issues["reciprocal"].shape == "linear"


@pytest.mark.parametrize(("mapping", "message"), [
    ({"autos": 2.0}, "scenario.partners.VNM.curvature.autos=2.0: names no issue of VNM; allowed: reciprocal,"),
    ({"reciprocal": -1.0}, "scenario.partners.VNM.curvature.reciprocal=-1.0: must be a curvature in [0, 20]"),
    ({"reciprocal": 25}, "scenario.partners.VNM.curvature.reciprocal=25: must be a curvature in [0, 20]"),
    ({"reciprocal": {"us": 1, "partnr": 2}}, "scenario.partners.VNM.curvature.reciprocal.partnr=2: "),
    (3.0, "scenario.partners.VNM.curvature=3.0: must be a mapping"),
])
def test_bad_curvatures_are_refused_with_the_key_and_what_is_allowed(plain, mapping, message):
    with pytest.raises(ConfigError) as error:
        load_study(with_curvature(plain, mapping))
    assert message in str(error.value)


def test_no_deal_values_use_the_curvature(plain):
    partner = load_study(with_curvature(plain, {"reciprocal": 3.0})).scenario.partners["VNM"]
    assert partner.issues["reciprocal"].us_curvature == 3.0
    talks = Talks(partner, {"reciprocal": 10.0})
    i = talks.space.index("reciprocal")
    y = talks.space.normalise("reciprocal", partner.announced_rate)
    us, vnm = talks.no_deal_values(court_risk=0.0)
    linear = Talks(load_study(with_curvature(plain, None)).scenario.partners["VNM"], {"reciprocal": 10.0})
    us_lin, vnm_lin = linear.no_deal_values(court_risk=0.0)
    w_us, w_p = talks.us_weights[i], talks.partner_weights[i]
    assert vnm - vnm_lin == pytest.approx(w_p * (shape(1 - y, 3.0) - (1 - y)))
    assert us - us_lin == pytest.approx(w_us * (shape(y, talks.us_curvature[i]) - y))
    # A certain court strike takes the rate to 0: the partner then gets the line's whole weight.
    _, vnm_struck = talks.no_deal_values(court_risk=1.0)
    assert vnm_struck - vnm == pytest.approx(w_p * (1 - shape(1 - y, 3.0)))
