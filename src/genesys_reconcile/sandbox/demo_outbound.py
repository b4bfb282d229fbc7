"""The demo org's outbound rule sets and contact list filters, as the server holds them."""

from __future__ import annotations

from typing import Any

from genesys_reconcile.sandbox.ids import entity_id


def predicate(column: str, kind: str, operator: str, value: Any, inverted: bool = False) -> Any:
    operand = {"range": value} if operator in ("BETWEEN", "IN") else {"value": value}
    return {"column": column, "columnType": kind, "operator": operator, **operand} | {
        "inverted": inverted
    }


# As the server holds them: with rule ids, and the `properties.Action` it adds to actions.
RULE_SETS: dict[str, dict[str, Any]] = {
    "Do-not-call safety": {
        "contactList": "Primary Leads",
        "rules": [
            {
                "name": "Do-not-call flag",
                "category": "DIALER_PRECALL",
                "conditions": [
                    {
                        "type": "contactAttributeCondition",
                        "attributeName": "do_not_call",
                        "operator": "EQUALS",
                        "value": "true",
                        "valueType": "STRING",
                        "inverted": False,
                    }
                ],
                "actions": [
                    {
                        "type": "Action",
                        "actionTypeName": "DO_NOT_DIAL",
                        "properties": {"Action": "DO_NOT_DIAL"},
                    }
                ],
            }
        ],
    },
    "Legacy wrap-up retries": {
        "queue": "Sales",
        "rules": [
            {
                "name": "Call back an hour later",
                "category": "DIALER_WRAPUP",
                "conditions": [
                    {
                        "type": "wrapupCondition",
                        "codes": [entity_id("wrapupcode", "Call back later")],
                        "inverted": False,
                    }
                ],
                "actions": [
                    {
                        "type": "Action",
                        "actionTypeName": "SCHEDULE_CALLBACK",
                        "properties": {"callbackOffset": "60", "Action": "SCHEDULE_CALLBACK"},
                    }
                ],
            }
        ],
    },
}


FILTERS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "Renewals audience": (
        "Renewals Due",
        [
            predicate("age", "numeric", "GREATER_THAN_EQUALS", "18"),
            predicate("engagement_score", "numeric", "GREATER_THAN_EQUALS", "40"),
            predicate("do_not_call", "alphabetic", "EQUALS", "true", inverted=True),
        ],
    ),
    "Old Spring test": (
        "Primary Leads",
        [
            predicate("region", "alphabetic", "IN", {"inSet": ["NW", "CA"]}),
            predicate("last_purchase", "alphabetic", "AFTER", "P-180DT00H00M"),
        ],
    ),
}
