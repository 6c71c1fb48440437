"""Negotiation core: issues, packages, utilities, concession and acceptance; no Mesa, no Hydra."""

from sim.core.concession import faratin_alpha, target_utility
from sim.core.frontier import Frontier, Offer
from sim.core.issues import ISSUES, Issue, IssueSpace

__all__ = ["ISSUES", "Frontier", "Issue", "IssueSpace", "Offer", "faratin_alpha", "target_utility"]
