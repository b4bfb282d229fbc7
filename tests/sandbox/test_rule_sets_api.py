"""Outbound rule sets, served as the real platform serves them: every body the SDK's models,
the SDK itself as a client, and each refusal a 400 in the platform's error body."""

from __future__ import annotations

import copy
import json
from typing import Any

import PureCloudPlatformClientV2 as sdk
import pytest

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.demo import entity_id
from genesys_reconcile.sandbox.server import SandboxServer
from tests.oracle import assert_conforms, sdk_client
from tests.sandbox.conftest import CREDENTIALS, Api

BASE = "/api/v2/outbound/rulesets"
PRIMARY = entity_id("list", "Primary Leads")
CALL_BACK = entity_id("wrapupcode", "Call back later")


def dnc_rule(name: str = "Do-not-call flag") -> dict[str, Any]:
    return {
        "name": name,
        "category": "DIALER_PRECALL",
        "conditions": [
            {
                "type": "contactAttributeCondition",
                "attributeName": "do_not_call",
                "operator": "EQUALS",
                "value": "true",
                "valueType": "STRING",
            }
        ],
        "actions": [{"type": "Action", "actionTypeName": "DO_NOT_DIAL"}],
    }


def body(**more: Any) -> dict[str, Any]:
    return {
        "name": "Spring exclusions",
        "contactList": {"id": PRIMARY},
        "rules": [dnc_rule()],
        **more,
    }


def put(api: Api, ident: str, sent: dict[str, Any]) -> Any:
    return api.request("PUT", f"{BASE}/{ident}", json=sent)


def created(api: Api, sent: dict[str, Any]) -> dict[str, Any]:
    answer = api.post(BASE, sent)
    assert answer.status_code == 200, answer.text
    assert_conforms("RuleSet", answer.json())
    made: dict[str, Any] = answer.json()
    return made


def test_the_demo_rule_sets_are_the_sdk_models_and_select_by_name(api: Api) -> None:
    listing = api.get(BASE, params={"pageSize": 100}).json()
    assert_conforms("RuleSetEntityListing", listing)
    assert [e["name"] for e in listing["entities"]] == [
        "Do-not-call safety",
        "Legacy wrap-up retries",
    ]
    one = api.get(f"{BASE}/{listing['entities'][0]['id']}").json()
    assert_conforms("RuleSet", one)
    assert one["rules"][0]["actions"][0]["properties"] == {"Action": "DO_NOT_DIAL"}
    assert one["contactList"]["name"] == "Primary Leads"
    legacy = api.get(BASE, params={"name": "Legacy"}).json()["entities"]
    assert [e["name"] for e in legacy] == ["Legacy wrap-up retries"]
    assert api.get(BASE, params={"name": "Legacy", "filterType": "Equals"}).json()["total"] == 0


def test_the_server_adds_rule_ids_and_action_properties_and_a_put_keeps_ids(api: Api) -> None:
    made = created(api, body(rules=[dnc_rule("A"), dnc_rule("B")]))
    first, second = (rule["id"] for rule in made["rules"])
    assert first and second and first != second
    assert [r["order"] for r in made["rules"]] == [0, 1]
    assert made["rules"][0]["actions"][0]["properties"] == {"Action": "DO_NOT_DIAL"}
    assert made["contactList"] == {
        "id": PRIMARY,
        "name": "Primary Leads",
        "selfUri": f"/api/v2/outbound/contactlists/{PRIMARY}",
    }
    changed = copy.deepcopy(made)
    changed["rules"] = [made["rules"][0], dnc_rule("C")]  # A kept with its id, B gone, C new
    answer = put(api, made["id"], changed)
    assert answer.status_code == 200, answer.text
    assert_conforms("RuleSet", answer.json())
    rules = answer.json()["rules"]
    assert rules[0]["id"] == first
    assert rules[1]["id"] not in (first, second)
    assert answer.json()["version"] == 2
    assert api.get(f"{BASE}/{made['id']}").json() == answer.json()


def test_a_put_with_a_stale_version_is_refused_in_words(api: Api) -> None:
    made = created(api, body())
    assert put(api, made["id"], made).status_code == 200
    stale = put(api, made["id"], made)  # still version 1
    assert stale.status_code == 400
    assert_conforms("ErrorBody", stale.json())
    assert "does not match the current version" in stale.json()["message"]
    missing = put(api, made["id"], {k: v for k, v in made.items() if k != "version"})
    assert missing.status_code == 400


def test_a_rule_set_a_campaign_uses_is_not_deleted(api: Api) -> None:
    made = created(api, body())
    api.admin(
        "POST",
        "edit",
        {
            "resource": "campaigns",
            "name": "Holiday Promo",
            "set": {"ruleSets": [{"id": made["id"]}]},
        },
    )
    refused = api.delete(f"{BASE}/{made['id']}")
    assert refused.status_code == 400
    assert "Holiday Promo" in refused.json()["message"]
    api.admin(
        "POST", "edit", {"resource": "campaigns", "name": "Holiday Promo", "set": {"ruleSets": []}}
    )
    assert api.delete(f"{BASE}/{made['id']}").status_code == 204
    assert api.get(f"{BASE}/{made['id']}").status_code == 404


def test_the_sdk_creates_reads_lists_updates_and_deletes_as_a_client(server: SandboxServer) -> None:
    outbound = sdk.OutboundApi(sdk_client(server.url, CREDENTIALS))
    rule = sdk.DialerRule()
    rule.name, rule.category = "Busy lines", "DIALER_WRAPUP"
    condition = sdk.Condition()
    condition.type, condition.value = (
        "callAnalysisCondition",
        "disposition.classification.callable.busy",
    )
    condition.operator, condition.value_type = "EQUALS", "STRING"
    action = sdk.DialerAction()
    action.type, action.action_type_name = "Action", "SCHEDULE_CALLBACK"
    action.properties = {"callbackOffset": "5"}
    rule.conditions, rule.actions = [condition], [action]
    new = sdk.RuleSet()
    new.name, new.rules = "Made by the SDK", [rule]
    made = outbound.post_outbound_rulesets(new)
    assert made.rules[0].id and made.version == 1
    assert made.rules[0].actions[0].properties == {
        "callbackOffset": "5",
        "Action": "SCHEDULE_CALLBACK",
    }
    read = outbound.get_outbound_ruleset(made.id)
    assert read.name == "Made by the SDK"
    listing = outbound.get_outbound_rulesets(name="Made by", page_size=100)
    assert [e.name for e in listing.entities] == ["Made by the SDK"]
    read.name = "Renamed by the SDK"
    updated = outbound.put_outbound_ruleset(made.id, read)
    assert (updated.name, updated.version, updated.rules[0].id) == (
        "Renamed by the SDK",
        2,
        made.rules[0].id,
    )
    outbound.delete_outbound_ruleset(made.id)
    with pytest.raises(sdk.rest.ApiException) as gone:
        outbound.get_outbound_ruleset(made.id)
    assert gone.value.status == 404


def condition_with(**fields: Any) -> dict[str, Any]:
    return body(rules=[{**dnc_rule(), "conditions": [fields]}])


def action_with(**fields: Any) -> dict[str, Any]:
    return body(rules=[{**dnc_rule(), "actions": [fields]}])


def without(path: tuple[Any, ...]) -> dict[str, Any]:
    sent = body()
    target: Any = sent
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return sent


def time_condition(**more: Any) -> dict[str, Any]:
    sub = {"type": "dayOfWeek", "operator": "IN", "range": {"inSet": ["7"]}, **more}
    return condition_with(
        type="timeAndDateCondition", timeZoneId="America/Chicago", subConditions=[sub]
    )


REFUSED = {
    "unknown field": (body(colour="red"), "colour"),
    "unknown rule field": (body(rules=[{**dnc_rule(), "when": "precall"}]), "rules[0].when"),
    "unknown condition field": (
        condition_with(**dnc_rule()["conditions"][0], column="x"),
        "rules[0].conditions[0].column",
    ),
    "unknown action field": (
        action_with(type="Action", actionTypeName="DO_NOT_DIAL", reason="x"),
        "rules[0].actions[0].reason",
    ),
    "unknown sub-condition range field": (
        time_condition(range={"inSet": ["7"], "step": "1"}),
        "rules[0].conditions[0].subConditions[0].range.step",
    ),
    "unknown reference field": (body(contactList={"id": PRIMARY, "kind": "x"}), "contactList.kind"),
    "bad category": (body(rules=[{**dnc_rule(), "category": "PRECALL"}]), "rules[0].category"),
    "bad condition type": (condition_with(type="columnCondition"), "rules[0].conditions[0].type"),
    "bad operator": (
        condition_with(**{**dnc_rule()["conditions"][0], "operator": "LIKE"}),
        "rules[0].conditions[0].operator",
    ),
    "bad action type name": (
        action_with(type="Action", actionTypeName="HANG_UP"),
        "rules[0].actions[0].actionTypeName",
    ),
    "a value of the wrong type": (
        condition_with(**{**dnc_rule()["conditions"][0], "value": 1}),
        "rules[0].conditions[0].value",
    ),
    "missing name": (without(("name",)), "name"),
    "missing rules": (without(("rules",)), "rules"),
    "missing rule name": (without(("rules", 0, "name")), "rules[0].name"),
    "missing rule category": (without(("rules", 0, "category")), "rules[0].category"),
    "missing rule conditions": (without(("rules", 0, "conditions")), "rules[0].conditions"),
    "missing action type": (
        without(("rules", 0, "actions", 0, "type")),
        "rules[0].actions[0].type",
    ),
    "missing action type name": (
        without(("rules", 0, "actions", 0, "actionTypeName")),
        "rules[0].actions[0].actionTypeName",
    ),
    "attribute condition without attributeName": (
        condition_with(type="contactAttributeCondition", operator="EQUALS", value="x"),
        "rules[0].conditions[0].attributeName",
    ),
    "wrap-up condition without codes": (
        condition_with(type="wrapupCondition"),
        "rules[0].conditions[0].codes",
    ),
    "property condition without propertyType": (
        condition_with(type="contactPropertyCondition", operator="AFTER", value="P-1DT00H00M"),
        "rules[0].conditions[0].propertyType",
    ),
    "by-column property condition without property": (
        condition_with(type="contactPropertyCondition", propertyType="LAST_ATTEMPT_BY_COLUMN"),
        "rules[0].conditions[0].property",
    ),
    "data action condition without predicates": (
        condition_with(
            type="dataActionCondition", dataAction={"id": "x"}, dataNotFoundResolution=True
        ),
        "rules[0].conditions[0].predicates",
    ),
    "data action predicate incomplete": (
        condition_with(
            type="dataActionCondition",
            dataAction={"id": "x"},
            dataNotFoundResolution=True,
            predicates=[
                {"outputField": "score", "outputOperator": "EQUALS", "comparisonValue": "1"}
            ],
        ),
        "rules[0].conditions[0].predicates[0].inverted",
    ),
    "time condition without a time zone": (
        condition_with(
            type="timeAndDateCondition", subConditions=[{"type": "dayOfWeek", "operator": "IN"}]
        ),
        "rules[0].conditions[0].timeZoneId",
    ),
    "time condition without sub-conditions": (
        condition_with(type="timeAndDateCondition", timeZoneId="UTC"),
        "rules[0].conditions[0].subConditions",
    ),
    "set attribute without updateOption": (
        action_with(type="modifyContactAttribute", actionTypeName="MODIFY_CONTACT_ATTRIBUTE"),
        "rules[0].actions[0].updateOption",
    ),
    "unknown contact list": (body(contactList={"id": "no-such-list"}), "contactList.id"),
    "unknown queue": (body(queue={"id": "no-such-queue"}), "queue.id"),
    "unknown wrap-up code": (
        condition_with(type="wrapupCondition", codes=[CALL_BACK, "no-such-code"]),
        "rules[0].conditions[0].codes[1]",
    ),
}


@pytest.mark.parametrize(("sent", "field"), REFUSED.values(), ids=REFUSED.keys())
def test_each_invalid_body_is_refused_naming_its_field(
    api: Api, sent: dict[str, Any], field: str
) -> None:
    for answer in (
        api.post(BASE, sent),
        put(api, entity_id("ruleset", "Do-not-call safety"), sent),
    ):
        assert answer.status_code == 400, answer.text
        assert_conforms("ErrorBody", answer.json())
        assert answer.json()["details"][0]["fieldName"] == field, answer.json()
    assert api.get(BASE).json()["total"] == 2


def test_a_valid_time_and_wrapup_rule_set_is_accepted(api: Api) -> None:
    made = created(api, time_condition())
    assert made["rules"][0]["conditions"][0]["subConditions"][0]["range"] == {"inSet": ["7"]}
    made = created(api, condition_with(type="wrapupCondition", codes=[CALL_BACK]))
    assert made["rules"][0]["conditions"][0]["codes"] == [CALL_BACK]


def test_a_state_file_of_the_first_format_gains_the_demo_rule_sets(tmp_path, clock) -> None:
    state = tmp_path / "org.json"
    Sandbox(state_file=state, clock=clock)
    older = json.loads(state.read_text("utf-8"))
    older["formatVersion"] = 1
    del older["ruleSets"]
    state.write_text(json.dumps(older), "utf-8")
    with SandboxServer(Sandbox(state_file=state, clock=clock)) as server:
        names = [e["name"] for e in Api(server.url).get(BASE).json()["entities"]]
    assert names == ["Do-not-call safety", "Legacy wrap-up retries"]


def test_the_genesys_api_serves_rule_sets(clock) -> None:
    with SandboxServer(Sandbox(clock=clock, api="genesys")) as server:
        assert Api(server.url).get(BASE).json()["total"] == 2
