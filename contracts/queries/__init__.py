"""Query contracts: one module per context, each query's parameters, answer and HTTP route. The
projection answers every one on ``sanji.qry.projection.<name>``; the gateway's read routes and both
contract documents are generated from QUERIES."""

from contracts.queries import assessment, attention, duty, opinion, outreach, summary, units
from contracts.queries.base import Answer, Freshness, QueryContract, QueryParams

QUERIES: dict[str, QueryContract] = {
    contract.name: contract
    for module in (units, outreach, opinion, duty, assessment, summary, attention)
    for contract in module.CONTRACTS
}

__all__ = ["QUERIES", "Answer", "Freshness", "QueryContract", "QueryParams"]
