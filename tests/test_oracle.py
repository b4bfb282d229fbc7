"""The oracle itself: it must see each kind of departure from the SDK's models, or the tests
that rely on it would pass on wrong bodies."""

from __future__ import annotations

from tests.oracle import problems

FILTER = {
    "name": "Audience",
    "contactList": {"id": "7b0e", "name": "Leads", "selfUri": "/api/v2/outbound/contactlists/7b0e"},
    "filterType": "AND",
    "clauses": [
        {
            "filterType": "AND",
            "predicates": [
                {
                    "column": "age",
                    "columnType": "numeric",
                    "operator": "BETWEEN",
                    "range": {"min": "25", "max": "55", "minInclusive": True, "maxInclusive": True},
                    "inverted": False,
                }
            ],
        }
    ],
    "dateCreated": "2026-01-01T00:00:00.000Z",
}


def test_a_body_as_the_sdk_models_it_has_no_problems() -> None:
    assert problems("ContactListFilter", FILTER) == []


def test_each_kind_of_departure_is_named_with_its_place() -> None:
    predicate = FILTER["clauses"][0]["predicates"][0]  # type: ignore[index]
    wrong = {
        **FILTER,
        "contactFilters": [],
        "name": None,
        "dateCreated": "yesterday",
        "clauses": [
            {
                "predicates": [
                    {**predicate, "operator": "BETWEN", "inverted": "no", "range": {"min": 25}}
                ]
            }
        ],
    }
    assert sorted(problems("ContactListFilter", wrong)) == [
        "$.clauses[0].predicates[0].inverted: expected bool, got str 'no'",
        "$.clauses[0].predicates[0].operator: 'BETWEN' is not a value of ContactListFilterPredicate.operator",
        "$.clauses[0].predicates[0].range.min: expected str, got int 25",
        "$.contactFilters: not a field of ContactListFilter",
        "$.dateCreated: expected an ISO-8601 date-time, got 'yesterday'",
        "$.name: required by ContactListFilter, missing",
    ]
