"""`CampaignSegmentation`: the segmentation fields of an existing outbound campaign.

Manages: of the campaigns at `/api/v2/outbound/campaigns`, only `rules`, `contactFilters`,
    `useOnlyOnce` and `dialingMode`; campaigns are never created or deleted.
Identity: the campaign's `name`, or its id.
Writes: one PATCH of the compiled rules (as both `rules` and `contactFilters`) and the other
    fields, with the live `version`. A stale write is a 409 `version.mismatch` (or a
    refusal naming the version); a 409 while the index rebuilds is not stale.
Settles: the campaign rebuilds its contact index (`indexStatus`) after each write.
Options: none; the contact lists the rules name are read from `/api/v2/outbound/lists`.
Real orgs: an org without that endpoint has no segmentation rules; there a file stands for a
    contact list filter bound to its campaign (`segmentation_real`), planned and applied as
    those kinds, and `whileRunning` (ignored where rules exist) says how a running campaign
    takes the change.

Offline, the rules are compiled with stand-in list ids to check the platform's limits (50
rules, 2,048 characters an expression). Online, the campaign and lists must exist, and every
attribute must exist in every list with a type its values and operators fit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from genesys_reconcile.genesys.errors import NotFound
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import segmentation_real
from genesys_reconcile.kinds.base import Kind, mappings, no_options
from genesys_reconcile.kinds.stand_ins import StandIns
from genesys_reconcile.manifest.diagnostics import Finding, Severity
from genesys_reconcile.rules import compiler, expression, overlap
from genesys_reconcile.rules.model import OneOf, Segmentation, from_document
from genesys_reconcile.settings import Settings

CAMPAIGNS = "/api/v2/outbound/campaigns"
CONTACT_LISTS = "/api/v2/outbound/lists"
_ORDERING = {"<", "<=", ">", ">="}
_SETTINGS = ("useOnlyOnce", "dialingMode")  # the fields beside the rules
_RESERVED = "'{}' is a reserved word in rule expressions and cannot name an attribute"


class CampaignSegmentation(Kind):
    kind: ClassVar[str] = "CampaignSegmentation"
    schema_file: ClassVar[str] = "campaign-segmentation.schema.json"
    identity_field: ClassVar[str] = "campaign"
    creatable: ClassVar[bool] = False  # it segments existing campaigns, never makes them
    depends_on: ClassVar[tuple[str, ...]] = ("AnalyticsSegment",)  # its rules may rely on them
    directory: ClassVar[str] = "campaigns"
    options_schema: ClassVar[Mapping[str, Any]] = no_options("CampaignSegmentation")
    settling: ClassVar[str] = "index rebuild"  # a write rebuilds the campaign's contact index
    collection: ClassVar[str] = CAMPAIGNS
    file_only: ClassVar[tuple[str, ...]] = ("kind", "description", "whileRunning")

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        yield from _reserved_names(data)
        compiled = _compiled_offline(data)
        if compiled:
            segmentation, rules = compiled
            yield from compiler.rule_limits(rules)
            yield from (_finding(o) for o in overlap.analyse(segmentation))
        demographics = data.get("demographics")
        if isinstance(demographics, dict):
            for attribute, criterion in demographics.items():
                if isinstance(criterion, dict):
                    yield from _criterion_findings(("demographics", attribute), criterion)
        for index, exclusion in mappings(data, "exclusions"):
            operator, value = exclusion.get("operator"), exclusion.get("value")
            if operator in _ORDERING and isinstance(value, bool):
                yield Finding(
                    ("exclusions", index, "operator"),
                    f"'{operator}' cannot order true/false; use = or !=",
                )

    def check_across(self, documents: Sequence[dict[str, Any]]) -> Iterator[tuple[int, Finding]]:
        """Campaigns drawing on one list whose audiences intersect could dial a contact twice."""
        models = [(index, model_of(data)) for index, data in enumerate(documents)]
        valid = [(index, m) for index, m in models if m is not None]
        for position, found in overlap.analyse_across([m for _, m in valid]):
            yield valid[position][0], _finding(found)

    def check_live(self, data: dict[str, Any], live: LiveState) -> Iterator[Finding]:
        segmentation = model_of(data)
        if segmentation is None or not _served(live):
            return  # on a real org the file stands for real resources, checked as theirs
        campaign = segmentation.campaign
        if self.named(live, campaign) is None:
            yield Finding(
                ("campaign",),
                f"campaign '{campaign}' does not exist; segmentation applies to an existing "
                "campaign and never creates one",
            )
        yield from compiler.list_findings(segmentation, _catalog(live))

    def stand_ins(self, data: dict[str, Any], live: LiveState) -> StandIns | None:
        return None if _served(live) else segmentation_real.stand_ins(data)

    # -- planning ------------------------------------------------------------------------------

    def live_entities(self, live: LiveState) -> list[dict[str, Any]]:
        # Segmentation rules are the demo extension's: an org without its list endpoint (a
        # real one) answers 404 here, and the planner leaves this kind's files out.
        live.listing(CONTACT_LISTS)
        return super().live_entities(live)

    def canonical(self, data: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        compiled = {"name": data["campaign"], "rules": _compiled(data, live)}
        return self.export(compiled | {k: data[k] for k in _SETTINGS if k in data}, live)

    def export(self, entity: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        """The campaign's rules read back into lists, demographics and exclusions; None when
        they are not one include and at most one exclude rule of that shape."""
        names = live.memo(
            "contact-list-names",
            lambda: {str(e["id"]): str(e["name"]) for e in live.listing(CONTACT_LISTS)},
        )
        lists: list[Any] = []
        parts: dict[str, list[expression.Expr]] = {"include": [], "exclude": []}
        for rule in _canonical_rules(entity.get("rules", []), live):
            parsed = _reading(str(rule.get("expression")), live)[0]
            if parsed is None:
                return None
            if rule.get("type") == "list" and isinstance(parsed, expression.Comparison):
                ident = str(parsed.value)
                lists.append(names.get(ident) or {"unresolved": ident})
            else:
                action = (rule.get("actions") or [{}])[0].get("type", "include")
                parts["exclude" if action == "exclude" else "include"].append(parsed)
        if len(parts["include"]) > 1 or len(parts["exclude"]) > 1:
            return None
        data: dict[str, Any] = {"kind": self.kind, "campaign": entity.get("name"), "lists": lists}
        for key, read in (("demographics", demographics_of), ("exclusions", exclusions_of)):
            expr = parts["include" if key == "demographics" else "exclude"]
            found = read(expr[0]) if expr else None
            if expr and not found:
                return None
            data |= {key: found} if found else {}
        return data | {k: entity[k] for k in _SETTINGS if k in entity}

    def keys(self, entity: dict[str, Any]) -> tuple[str, ...]:
        return (str(entity.get("id")), *super().keys(entity))  # files may name it by id

    def desired(self, data: dict[str, Any], live: LiveState) -> dict[str, Any]:
        rules = _compiled(data, live)
        wanted = _view(rules, live) | {"contactFilters": SAME_AS_RULES}
        return wanted | {k: data[k] for k in ("useOnlyOnce", "dialingMode") if k in data}

    def update_body(
        self, entity: dict[str, Any], data: dict[str, Any], live: LiveState
    ) -> dict[str, Any]:
        """Every segmentation field in one atomic PATCH, the rules compiled against the org's
        lists; the campaign then rebuilds its index."""
        rules = _compiled(data, live)
        changes: dict[str, Any] = {"rules": rules, "contactFilters": rules}
        return changes | {k: data[k] for k in ("useOnlyOnce", "dialingMode") if k in data}

    def settled(self, entity: dict[str, Any]) -> bool | str:
        status = entity.get("indexStatus", "ready")
        if status == "failed":
            return str(entity.get("indexError") or "the index rebuild failed")
        return bool(status == "ready")

    def unconverged(self, entity: dict[str, Any]) -> str | None:
        # The rules were written but never took effect; a PATCH starts a new rebuild.
        state = self.settled(entity)
        if state is True or state is False:
            return None
        return f"index rebuild failed: {state}; apply writes it again"

    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        rules = entity.get("rules", [])
        same = _canonical(entity.get("contactFilters", []), live) == _canonical(rules, live)
        view = _view(rules, live) | {
            "contactFilters": SAME_AS_RULES if same else "differ from rules"
        }
        view |= {k: entity[k] for k in ("useOnlyOnce", "dialingMode") if k in entity}
        return {k: v for k, v in view.items() if desired is None or k in desired}


def _compiled(data: dict[str, Any], live: LiveState) -> list[dict[str, Any]]:
    """The wire rules of a file, its lists resolved against the org's."""
    segmentation = from_document(data)
    catalog = _catalog(live)
    lists = [catalog.resolve(name) for name in segmentation.lists]
    return compiler.compile_rules(segmentation, [cl for cl in lists if cl is not None])


def _served(live: LiveState) -> bool:
    """Whether the org serves segmentation rules (the demo extension's contact lists)."""
    try:
        live.listing(CONTACT_LISTS)
    except NotFound:
        return False
    return True


def _catalog(live: LiveState) -> compiler.ListCatalog:
    def make() -> compiler.ListCatalog:
        return compiler.ListCatalog(
            [compiler.ContactList.from_wire(e) for e in live.listing(CONTACT_LISTS)]
        )

    return live.memo("contact-list-catalog", make)


# A reviewer compares segmentations by meaning: lists by name, conditions as canonical text.
# The wire rules are compiled again from the file when they are written.
SAME_AS_RULES = "same as rules"


def _view(rules: list[Any], live: LiveState) -> dict[str, Any]:
    names = live.memo(
        "contact-list-names",
        lambda: {str(e["id"]): str(e["name"]) for e in live.listing(CONTACT_LISTS)},
    )
    view: dict[str, list[str]] = {"lists": [], "include": [], "exclude": []}
    for rule in _canonical_rules(rules, live):  # in any order: each part is sorted below
        text = str(rule.get("expression"))
        parsed = _reading(text, live)[0]
        if rule.get("type") == "list" and isinstance(parsed, expression.Comparison):
            view["lists"].append(names.get(str(parsed.value), str(parsed.value)))
        else:
            action = (rule.get("actions") or [{}])[0].get("type", "include")
            view["exclude" if action == "exclude" else "include"].append(text)
    return {key: sorted(values) for key, values in view.items()}


def _canonical(rules: Any, live: LiveState) -> list[dict[str, Any]]:
    """Rules in one order and one spelling: live expressions are parsed and rendered again, so
    `age>=25` and `age >= 25` are no difference, and rule order is not either."""
    return sorted(_canonical_rules(rules, live), key=lambda r: json.dumps(r, sort_keys=True))


def _canonical_rules(rules: Any, live: LiveState) -> list[dict[str, Any]]:
    """The rules in one spelling, in their own order."""
    if not isinstance(rules, list):
        return []
    return [_canonical_rule(r, live) for r in rules if isinstance(r, dict)]


_Reading = tuple[expression.Expr | None, str]


def _reading(text: str, live: LiveState) -> _Reading:
    """An expression parsed, and its canonical text; each text is read once per run, as a
    campaign's rules, its contact filters and its file's compiled rules mostly repeat it."""
    readings: dict[str, _Reading] = live.memo("rule-expressions", dict)
    found = readings.get(text)
    if found is None:
        parsed = _parsed(text)
        canonical = text if parsed is None else expression.render(_ordered(parsed))
        found = readings[text] = (parsed, canonical)
    return found


def _ordered(expr: expression.Expr) -> expression.Expr:
    """The expression with the operands of each AND and OR, and the values of each IN, in one
    order: `a AND b` means what `b AND a` does."""
    if isinstance(expr, expression.And | expression.Or):
        parts = sorted((_ordered(o) for o in expr.operands), key=expression.render)
        return type(expr)(tuple(parts))
    if isinstance(expr, expression.Not):
        return expression.Not(_ordered(expr.operand))
    if isinstance(expr, expression.Membership):
        values = sorted(expr.values, key=expression.render_literal)
        return expression.Membership(expr.attribute, tuple(values))
    return expr


def _parsed(text: str) -> expression.Expr | None:
    try:
        return expression.parse(text)
    except expression.ExpressionSyntaxError:
        return None


def _canonical_rule(rule: dict[str, Any], live: LiveState) -> dict[str, Any]:
    parsed, text = _reading(str(rule.get("expression")), live)
    if parsed is None:
        return rule
    canonical = dict(rule, expression=text)
    if isinstance(rule.get("filter"), dict):
        canonical["filter"] = dict(rule["filter"], expression=text)
    return canonical


def demographics_of(expr: expression.Expr) -> dict[str, Any] | None:
    """`age >= 25 AND region IN ('NW')` as `{age: {min: 25}, region: {allowed: [NW]}}`;
    None for any other shape."""
    found: dict[str, dict[str, Any]] = {}
    for part in expr.operands if isinstance(expr, expression.And) else (expr,):
        if isinstance(part, expression.Membership):
            found.setdefault(part.attribute, {})["allowed"] = list(part.values)
        elif isinstance(part, expression.Comparison) and part.operator in (">=", "<="):
            bound = "min" if part.operator == ">=" else "max"
            found.setdefault(part.attribute, {})[bound] = part.value
        else:
            return None
    # A range reads lowest first, as files write it.
    return {a: {k: c[k] for k in ("allowed", "min", "max") if k in c} for a, c in found.items()}


def exclusions_of(expr: expression.Expr) -> list[dict[str, Any]] | None:
    """`do_not_call = true OR recently_contacted > 30` as the file's exclusions; None for any
    other shape."""
    found = []
    for part in expr.operands if isinstance(expr, expression.Or) else (expr,):
        if not isinstance(part, expression.Comparison):
            return None
        found.append({"attribute": part.attribute, "operator": part.operator, "value": part.value})
    return found


def _finding(found: overlap.Overlap) -> Finding:
    return Finding(found.path, found.message, Severity(found.severity))


def model_of(data: dict[str, Any]) -> Segmentation | None:
    """The model of a file whose shape is right and whose parts compile, else None (the schema
    and the checks above report why)."""
    compiled = _compiled_offline(data)
    return compiled[0] if compiled else None


def _compiled_offline(data: dict[str, Any]) -> tuple[Segmentation, list[dict[str, Any]]] | None:
    """The model and its rules compiled with stand-in list ids, when the file allows both."""
    try:
        segmentation = from_document(data)
        rules = compiler.compile_rules(segmentation, compiler.offline_lists(segmentation))
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    if any(isinstance(c, OneOf) and not c.values for c in segmentation.criteria):
        return None  # an empty set breaks the schema, which says so
    return segmentation, rules


def _reserved_names(data: dict[str, Any]) -> Iterator[Finding]:
    demographics = data.get("demographics")
    for attribute in demographics if isinstance(demographics, dict) else []:
        if attribute in expression.RESERVED:
            yield Finding(("demographics", attribute), _RESERVED.format(attribute))
    for index, exclusion in mappings(data, "exclusions"):
        if exclusion.get("attribute") in expression.RESERVED:
            yield Finding(
                ("exclusions", index, "attribute"), _RESERVED.format(exclusion["attribute"])
            )


def _criterion_findings(path: tuple[str, str], criterion: dict[str, Any]) -> Iterator[Finding]:
    # An empty range is the overlap analysis's to report, with the other conflicts.
    if "allowed" in criterion and ("min" in criterion or "max" in criterion):
        yield Finding(path, "use either a range (min, max) or a set (allowed), not both")
