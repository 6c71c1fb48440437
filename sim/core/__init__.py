"""Negotiation core: issues, packages, utilities, concession and acceptance; no Mesa, no Hydra."""

from sim.core.concession import faratin_alpha, target_utility
from sim.core.frontier import Frontier, Offer
from sim.core.issues import Issue, IssueSpace, headline_of, us_lines

__all__ = ["Frontier", "Issue", "IssueSpace", "Offer", "faratin_alpha", "headline_of", "target_utility", "us_lines"]
