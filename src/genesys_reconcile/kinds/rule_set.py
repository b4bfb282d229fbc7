"""`RuleSet`: an outbound rule set (call rules): pre-call and wrap-up rules in order.

Manages: the rule sets at `/api/v2/outbound/rulesets`: name, contactList and queue (by name;
    only when the file sets them) and the rules, in order. Rules are written in shorthand
    (`kinds/call_rules.py`) or as the API's JSON under `raw:`.
Identity: the rule set's `name`; within it, each rule's `name`. Rule ids are the server's and
    appear in no file and no plan.
Writes: POST to create; a PUT of the whole rule set as read, the file's fields over it, with
    the live `version`, each kept rule carrying its live id; DELETE. A stale write is refused
    with a message saying the version does not match (a 400 or 409: unverified), then read
    again and retried if the change still holds.
Settles: at once (the read-back matches).
Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import call_rules, references
from genesys_reconcile.kinds.base import Kind, mappings, no_options
from genesys_reconcile.kinds.rule_checks import offline_findings
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.settings import Settings

RULE_SETS = "/api/v2/outbound/rulesets"
CONTACT_LISTS = "/api/v2/outbound/contactlists"
QUEUES = "/api/v2/routing/queues"
WRAPUP_CODES = "/api/v2/routing/wrapupcodes"
# The references a file makes by name: field, listing, what a message calls it.
REFERENCES = (("contactList", CONTACT_LISTS, "contact list"), ("queue", QUEUES, "queue"))


class RuleSet(Kind):
    kind: ClassVar[str] = "RuleSet"
    schema_file: ClassVar[str] = "rule-set.schema.json"
    identity_field: ClassVar[str] = "name"
    directory: ClassVar[str] = "outbound/rulesets"
    options_schema: ClassVar[Mapping[str, Any]] = no_options("RuleSet")
    collection: ClassVar[str] = RULE_SETS
    update_method: ClassVar[str] = "PUT"
    managed: ClassVar[tuple[str, ...]] = ("name", "contactList", "queue", "rules")
    file_only: ClassVar[tuple[str, ...]] = ("kind", "description")

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        return offline_findings(data)

    def check_live(self, data: dict[str, Any], live: LiveState) -> Iterator[Finding]:
        for field, collection, what in REFERENCES:
            yield from references.findings(live, (field,), collection, data.get(field), what)
        for place, name in _code_names(data):
            yield from references.findings(live, place, WRAPUP_CODES, name, "wrap-up code")
        columns = _columns(data, live)
        if columns is None:
            return
        for place, column in _columns_named(data):
            if column not in columns:
                yield Finding(
                    place,
                    f"column '{column}' is not in contact list '{data['contactList']}' "
                    f"(its columns: {', '.join(sorted(columns))})",
                )

    # -- planning ------------------------------------------------------------------------------

    def desired(self, data: dict[str, Any], live: LiveState) -> dict[str, Any]:
        wire = body(data, live)
        view = {k: _named(live, k, v) for k, v in wire.items() if k != "rules"}
        return view | {"rules": call_rules.rules_view(wire["rules"])}

    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        view: dict[str, Any] = {"name": entity.get("name")}
        for field, _, _ in REFERENCES:
            if isinstance(entity.get(field), dict):
                view[field] = _named(live, field, {"id": entity[field].get("id")})
        rules = entity.get("rules")
        live_rules = call_rules.rules_view(rules if isinstance(rules, list) else [])
        # A rule the file lacks (or a rule set it lacks) sets no computed field either.
        wanted = desired.get("rules", {}) if desired is not None else {}
        view["rules"] = {
            name: call_rules.without_computed(rule, wanted.get(name, {}))
            for name, rule in live_rules.items()
        }
        return {k: v for k, v in view.items() if desired is None or k in desired}

    def canonical(self, data: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        return self.export(body(data, live), live)

    def export(self, entity: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        data: dict[str, Any] = {"kind": self.kind, "name": entity.get("name")}
        for field, collection, _ in REFERENCES:
            if isinstance(entity.get(field), dict):
                data[field] = references.name_or_unresolved(live, collection, entity[field])
        codes = live.memo(
            (WRAPUP_CODES, "names"),
            lambda: {str(e["id"]): str(e.get("name")) for e in live.listing(WRAPUP_CODES)},
        )
        listed = entity.get("rules") if isinstance(entity.get("rules"), list) else []
        ordered = sorted(listed or [], key=lambda r: r.get("order") or 0)
        rules = [call_rules.file_rule(r, codes) for r in ordered]
        return None if None in rules else data | {"rules": rules}

    # -- applying ------------------------------------------------------------------------------

    def create(self, client: GenesysClient, data: dict[str, Any]) -> dict[str, Any]:
        return client.create(self.collection, body(data, LiveState(client)))

    def update_body(
        self, entity: dict[str, Any], data: dict[str, Any], live: LiveState
    ) -> dict[str, Any]:
        """The rule set as read with the file's fields over it; each rule the file keeps (by
        name) carries its live id, so that the platform can keep it."""
        wanted = body(data, live)
        live_rules = entity.get("rules") if isinstance(entity.get("rules"), list) else []
        ids = {
            r.get("name"): r["id"] for r in live_rules or [] if isinstance(r, dict) and "id" in r
        }
        wanted["rules"] = [
            {"id": ids[rule["name"]], **rule} if rule["name"] in ids else rule
            for rule in wanted["rules"]
        ]
        return {**entity, **wanted}


def body(data: dict[str, Any], live: LiveState) -> dict[str, Any]:
    """The file as the API takes it: names resolved to `{id}`, rules in the API's shape."""

    def code_id(name: str) -> str:
        return references.ref(live, WRAPUP_CODES, name, "wrap-up code")["id"]

    wire: dict[str, Any] = {"name": data["name"]}
    for field, collection, what in REFERENCES:
        if field in data:
            wire[field] = references.ref(live, collection, data[field], what)
    rules = [call_rules.api_rule(rule, order, code_id) for order, rule in enumerate(data["rules"])]
    return wire | {"rules": rules}


def _named(live: LiveState, field: str, value: Any) -> Any:
    """A reference as plans show it: its id, and for reviewers the name the org gives that id
    (so two references are the same exactly when their ids are)."""
    collection = dict((f, c) for f, c, _ in REFERENCES).get(field)
    if collection is None or not isinstance(value, dict):
        return value
    return {"id": value.get("id"), "name": references.name_of(live, collection, value)}


def _code_names(data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    for index, rule in mappings(data, "rules"):
        for place, condition in call_rules.conditions_of(rule):
            names = condition.get("wrapup")
            for k, name in enumerate(names if isinstance(names, list) else []):
                yield ("rules", index, *place, "wrapup", k), name


def _columns_named(data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Each contact column the rules name, with its place: column conditions, raw contact
    attribute conditions and the columns set by setAttribute."""
    for index, rule in mappings(data, "rules"):
        for place, condition in call_rules.conditions_of(rule):
            where = ("rules", index, *place)
            raw = condition.get("raw")
            if isinstance(condition.get("column"), str):
                yield (*where, "column"), condition["column"]
            elif (
                isinstance(raw, dict)
                and raw.get("type") == "contactAttributeCondition"
                and isinstance(raw.get("attributeName"), str)
            ):
                yield (*where, "raw", "attributeName"), raw["attributeName"]
        for k, action in mappings(rule, "then"):
            columns = action.get("setAttribute")
            for column in columns if isinstance(columns, dict) else []:
                yield ("rules", index, "then", k, "setAttribute", column), str(column)


def _columns(data: dict[str, Any], live: LiveState) -> set[str] | None:
    """The columns of the file's contact list; None when it names none, or none exactly."""
    found = references.one(live, CONTACT_LISTS, data.get("contactList"))
    return None if found is None else {str(c) for c in found.get("columnNames") or []}
