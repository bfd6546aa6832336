"""The demo's exchange pairs: members of different organisations who share an interest, introduced."""
from cop.communities.members import PeopleFilter
from cop.communities.models import Community
from cop.exchange import pairing as exchange

EXCHANGE_PAIRS = 6


def add_demo_exchange_pairs(community: Community) -> None:
    if exchange.pairs_of(community):
        return
    suggestions = exchange.suggest_pairs(exchange.candidates(community, PeopleFilter(role="member")))
    exchange.introduce(community, [(s.first.id, s.second.id) for s in suggestions[:EXCHANGE_PAIRS]], None)
