"""What the routes and the handler share, put on ``app.state.routing`` at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.routing.decide import Router
from services.routing.rulesets import RulesetBook


@dataclass(frozen=True)
class Routing:
    """The router (directory and classifiers, built once) and the ruleset versions."""

    router: Router
    rulesets: RulesetBook


def get_routing(request: Request) -> Routing:
    routing: Routing = request.app.state.routing
    return routing


RoutingDep = Annotated[Routing, Depends(get_routing)]
