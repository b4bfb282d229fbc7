"""`CampaignSettings`: the bindings and settings of an existing outbound campaign.

Manages: of the campaigns at `/api/v2/outbound/campaigns`, only the fields its file names (a
    field the file leaves out is someone else's): `contactList`, `contactListFilters` (at most one),
    `ruleSets`, `dncLists` and `callableTimeSet`, by name, and the `settings:` keys;
    campaigns are never created or deleted.
Identity: the campaign's exact `name`.
Writes: a read-modify-write PUT of the campaign as read with the file's fields over it, the
    live `version` and the live `campaignStatus` (a `complete` campaign is sent back
    `complete`), with `useMaxCallsPerAgentDecimal=true`. A stale write is a 400 or 409 whose
    message says the version does not match. On a running campaign, `whileRunning` decides:
    `refuse` fails the change when it needs the campaign off; `patch-only` PATCHes only the
    runtime fields; `stop-apply-start` stops the campaign, writes and starts it again.
Settles: a `stopping` campaign is waited for before a write; after one, the version moved,
    the status is the one it had (restored by a start), and the campaign reports no error it
    did not report before.
Options: none.

References are compared by id: a live reference is shown with the name its id has in the org
(the name the API enriches it with is ignored), a file's name with the id it resolves to; DNC
lists and rule sets are sets, sorted. A filter or rule set another file of the repository
creates may not exist yet at plan time: it shows without an id, and apply resolves it then.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.errors import GenesysError
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import contact_sorts, references
from genesys_reconcile.kinds.base import Kind, Steps, WriteRefused, no_options
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.settings import Settings

CAMPAIGNS = "/api/v2/outbound/campaigns"
FILTERS = "/api/v2/outbound/contactlistfilters"
RULE_SETS = "/api/v2/outbound/rulesets"
DNC_LISTS = "/api/v2/outbound/dnclists"
TIME_SETS = "/api/v2/outbound/callabletimesets"
CONTACT_LISTS = "/api/v2/outbound/contactlists"


class Ref(NamedTuple):
    """A reference field: its file key, API field, collection, what it is in words, whether
    the API holds a list, and the kind whose files may create what it names."""

    key: str
    field: str
    collection: str
    what: str
    many: bool
    creator: str = ""


REFS = (
    Ref("contactList", "contactList", CONTACT_LISTS, "contact list", False),
    Ref("contactListFilter", "contactListFilters", FILTERS, "contact list filter", True,
        "ContactListFilter"),
    Ref("ruleSets", "ruleSets", RULE_SETS, "rule set", True, "RuleSet"),
    Ref("dncLists", "dncLists", DNC_LISTS, "DNC list", True),
    Ref("callableTimeSet", "callableTimeSet", TIME_SETS, "callable time set", False),
)  # fmt: skip
SETTINGS = (
    "dialingMode",
    "abandonRate",
    "priority",
    "callerName",
    "callerAddress",
    "outboundLineCount",
    "noAnswerTimeout",
    "callAnalysisLanguage",
    "maxCallsPerAgent",
    "contactSorts",
)
# What a running campaign takes only once off [inferred from the Resource Center's list of
# what may change while on], and what `CampaignPatchRequest` changes on a running one.
NEEDS_OFF = ("contactList", "contactListFilters", "dialingMode", "contactSorts")
PATCHABLE = ("abandonRate", "outboundLineCount", "maxCallsPerAgent")
POLICIES = ("refuse", "patch-only", "stop-apply-start")
PUT_PARAMS = {"useMaxCallsPerAgentDecimal": "true"}


class CampaignSettings(Kind):
    kind: ClassVar[str] = "CampaignSettings"
    schema_file: ClassVar[str] = "campaign-settings.schema.json"
    identity_field: ClassVar[str] = "campaign"
    creatable: ClassVar[bool] = False  # it configures existing campaigns, never makes them
    # Filters and rule sets must exist before a campaign binds them, and are deleted only
    # after it lets go of them.
    depends_on: ClassVar[tuple[str, ...]] = ("ContactListFilter", "RuleSet")
    directory: ClassVar[str] = "outbound/campaigns"
    options_schema: ClassVar[Mapping[str, Any]] = no_options("CampaignSettings")
    settling: ClassVar[str] = "stop"  # a stopping campaign takes no edits until it is off
    collection: ClassVar[str] = CAMPAIGNS
    update_method: ClassVar[str] = "PUT"
    file_only: ClassVar[tuple[str, ...]] = ("kind", "whileRunning")
    partial: ClassVar[tuple[str, ...]] = ("settings",)

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        return iter(())  # the schema says it all

    def check_live(self, data: dict[str, Any], live: LiveState) -> Iterator[Finding]:
        yield from references.findings(
            live, ("campaign",), CAMPAIGNS, data.get("campaign"), "campaign"
        )
        declared: set[tuple[str, str]] = live.memo("declared", set)
        for ref in REFS:
            for path, name in _names(data, ref):
                if ref.creator and (ref.creator, name) in declared:
                    continue  # a file of this repository creates it, before campaigns
                try:
                    yield from references.findings(live, path, ref.collection, name, ref.what)
                except GenesysError:  # the org serves no such resources
                    yield Finding(path, f"{ref.what} '{name}' does not exist in the org")

    def needs(self, data: dict[str, Any]) -> Iterator[tuple[str, str]]:
        for ref in REFS:
            if ref.creator:
                yield from ((ref.creator, name) for _, name in _names(data, ref))

    # -- planning ------------------------------------------------------------------------------

    def desired(self, data: dict[str, Any], live: LiveState) -> dict[str, Any]:
        view: dict[str, Any] = {}
        for ref in REFS:
            if ref.key in data:
                found = sorted((_resolved(live, ref, n) for _, n in _names(data, ref)), key=_order)
                view[ref.field] = found if ref.many else (found[0] if found else None)
        wanted = data.get("settings") or {}
        view |= {key: wanted[key] for key in SETTINGS if key in wanted}
        if "contactSorts" in view:
            view["contactSorts"] = contact_sorts.to_api(view["contactSorts"])
        return view

    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        view: dict[str, Any] = {}
        for ref in REFS:
            held = entity.get(ref.field)
            if ref.many:
                items = held if isinstance(held, list) else []
                view[ref.field] = sorted((_named(live, ref, r) for r in items), key=_order)
            else:
                view[ref.field] = _named(live, ref, held) if held else None
        for key in SETTINGS:
            view[key] = entity.get(key)
        view["maxCallsPerAgent"] = entity.get("maxCallsPerAgentDecimal", view["maxCallsPerAgent"])
        view["contactSorts"] = contact_sorts.from_live(entity.get("contactSorts"))
        return {k: v for k, v in view.items() if desired is None or k in desired}

    def remark(
        self, entity: dict[str, Any], data: dict[str, Any], changed: Sequence[str]
    ) -> str | None:
        status, policy = entity.get("campaignStatus"), data.get("whileRunning", "refuse")
        fields = sorted({path.split(".")[0].split("[")[0] for path in changed})
        said = f"campaign is {status}; whileRunning: {policy}"
        if status != "on":
            return said
        blocked = [f for f in fields if f in NEEDS_OFF]
        if policy == "patch-only":
            patched = [f for f in fields if f in PATCHABLE]
            left = [f for f in fields if f not in PATCHABLE]
            return f"{said}; PATCHes {_words(patched)}, leaves {_words(left)}"
        if not blocked:
            return said
        if policy == "refuse":
            return f"{said}; {_words(blocked)} needs the campaign off (whileRunning: refuse)"
        return f"{said}; {_words(blocked)} needs the campaign off: apply stops, writes, starts it"

    def canonical(self, data: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        sets = {k: sorted(data[k]) for k in ("ruleSets", "dncLists") if k in data}
        settings = data.get("settings") or {}
        if "contactSorts" in settings:
            settings = settings | {"contactSorts": contact_sorts.in_full(settings["contactSorts"])}
        return data | sets | ({"settings": settings} if "settings" in data else {})

    def export(self, entity: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        """The campaign's bindings and settings as read; never its status, which belongs to
        whoever runs the campaign."""
        data: dict[str, Any] = {"kind": self.kind, "campaign": entity.get("name")}
        for ref in REFS:
            held = entity.get(ref.field)
            items = (held if isinstance(held, list) else []) if ref.many else [held]
            names = [references.name_or_unresolved(live, ref.collection, r) for r in items if r]
            if not names:
                continue  # unbound: left to whoever binds it
            if ref.many and ref.key != "contactListFilter":  # a set in the file too
                data[ref.key] = sorted(names, key=str)
            elif len(names) == 1:  # the file names one; a campaign with several is not written
                data[ref.key] = names[0]
        view = self.current(entity, None, live)
        wanted = {key: view[key] for key in SETTINGS if view.get(key) not in (None, [])}
        if "contactSorts" in wanted:
            wanted["contactSorts"] = contact_sorts.to_file(wanted["contactSorts"])
        return data | ({"settings": wanted} if wanted else {})

    # -- applying -------------------------------------------------------------------------------

    def settled(self, entity: dict[str, Any]) -> bool | str:
        return entity.get("campaignStatus") != "stopping"

    def write(
        self,
        client: GenesysClient,
        entity: dict[str, Any],
        data: dict[str, Any],
        live: LiveState,
        steps: Steps,
    ) -> dict[str, Any]:
        """The file's fields written by the campaign's status and `whileRunning`."""
        ident = self.id_of(entity)
        if not self.settled(entity):  # edits are refused while it stops: write once it is off
            entity = steps.settle(self.reread(client, ident))
        desired = self.desired(data, live)
        now = self.current(entity, desired, live)
        changed = [k for k, v in desired.items() if now.get(k) != v]
        wanted = _wire(client, desired, live)
        policy = data.get("whileRunning", "refuse")
        if entity.get("campaignStatus") == "on" and policy == "patch-only":
            # Whether a PATCH moves the version is unverified: it is not asked for.
            return _checked(entity, self._patch(client, entity, wanted, changed, steps), False)
        return _checked(entity, self._put_by_policy(client, entity, wanted, changed, policy, steps))

    def _put_by_policy(
        self,
        client: GenesysClient,
        entity: dict[str, Any],
        wanted: dict[str, Any],
        changed: list[str],
        policy: str,
        steps: Steps,
    ) -> dict[str, Any]:
        """A PUT; on a running campaign whose change needs it off, refused or made between a
        stop and a start, as `whileRunning` says."""
        blocked = [f for f in changed if f in NEEDS_OFF]
        if entity.get("campaignStatus") != "on" or not blocked:
            return self._put(client, entity, wanted)
        if policy == "refuse":
            raise WriteRefused(
                f"campaign {entity.get('name')!r} is on and {_words(blocked)} needs the campaign "
                "off (whileRunning: refuse); stop it and apply again, or set whileRunning: "
                "stop-apply-start"
            )
        return self._stop_write_start(client, entity, wanted, steps)

    def _put(
        self, client: GenesysClient, entity: dict[str, Any], wanted: dict[str, Any]
    ) -> dict[str, Any]:
        """The campaign as read, the file's fields over it, with its version and status."""
        body = {**entity, **wanted}
        body |= {"version": entity.get("version"), "campaignStatus": entity["campaignStatus"]}
        body = {k: v for k, v in body.items() if v is not None}  # null: unbound
        ident = self.id_of(entity)
        written = client.update("PUT", self.path_of(ident), body, PUT_PARAMS)
        return written or self.reread(client, ident)  # the answer's body is unverified

    def _patch(
        self,
        client: GenesysClient,
        entity: dict[str, Any],
        wanted: dict[str, Any],
        changed: list[str],
        steps: Steps,
    ) -> dict[str, Any]:
        """Only the runtime fields of a running campaign (`CampaignPatchRequest`)."""
        patched = [f for f in changed if f in PATCHABLE]
        left = [f for f in changed if f not in PATCHABLE]
        steps.record("patch-only", patched=patched, left=left)
        if not patched:
            raise WriteRefused(
                f"campaign {entity.get('name')!r} is on and whileRunning is patch-only: "
                f"{_words(left)} must wait until the campaign is off"
            )
        body = {
            f: wanted["maxCallsPerAgentDecimal" if f == "maxCallsPerAgent" else f] for f in patched
        }
        ident = self.id_of(entity)
        client.update("PATCH", self.path_of(ident), body)
        if left:
            steps.say(f"patch-only: left {_words(left)} until the campaign is off")
        return self.reread(client, ident)

    def _stop_write_start(
        self, client: GenesysClient, entity: dict[str, Any], wanted: dict[str, Any], steps: Steps
    ) -> dict[str, Any]:
        """Stop the campaign, write once it is off, and start it again whatever happened."""
        ident = self.id_of(entity)
        path = self.path_of(ident)
        steps.record("stop", version=entity.get("version"))
        client.command(path + "/stop")
        try:
            stopped = steps.settle(self.reread(client, ident))
            steps.record("write", status=stopped.get("campaignStatus"))
            self._put(client, stopped, wanted)
        finally:
            steps.record("start")
            client.command(path + "/start")
        return self.reread(client, ident)


def _names(data: dict[str, Any], ref: Ref) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The names a file gives a reference field, each with its place in the file."""
    value = data.get(ref.key)
    if isinstance(value, list):
        yield from (((ref.key, i), n) for i, n in enumerate(value) if isinstance(n, str))
    elif isinstance(value, str):
        yield (ref.key,), value


def _resolved(live: LiveState, ref: Ref, name: str) -> dict[str, Any]:
    """A file's name with the id it names in the org (None before this apply creates it)."""
    try:
        found = references.one(live, ref.collection, name)
    except GenesysError:
        found = None
    return {"name": name, "id": None if found is None else str(found["id"])}


def _named(live: LiveState, ref: Ref, held: Any) -> dict[str, Any]:
    """A live reference with the name its id has in the org (not the enriched one)."""
    try:
        name = references.name_of(live, ref.collection, held)
    except GenesysError:
        name = None
    return {"name": name, "id": held.get("id") if isinstance(held, dict) else None}


def _order(ref: dict[str, Any]) -> tuple[str, str]:
    return str(ref.get("name") or ""), str(ref.get("id") or "")


def _wire(client: GenesysClient, desired: dict[str, Any], live: LiveState) -> dict[str, Any]:
    """The desired fields as a PUT carries them: references `{id}`, a maximum in both forms."""
    wanted = dict(desired)
    for ref in REFS:
        if ref.field in desired:
            value = desired[ref.field]
            items = value if ref.many else ([value] if value else [])
            ids = [{"id": _id_now(client, ref, item)} for item in items]
            wanted[ref.field] = ids if ref.many else (ids[0] if ids else None)
    if "maxCallsPerAgent" in desired:
        most = desired["maxCallsPerAgent"]
        wanted["maxCallsPerAgentDecimal"] = float(most)
        wanted["maxCallsPerAgent"] = int(most) if float(most).is_integer() else None
    return wanted


def _id_now(client: GenesysClient, ref: Ref, item: dict[str, Any]) -> str:
    """The id resolved at plan time, or, for a resource this apply created since, now."""
    if item.get("id"):
        return str(item["id"])
    found = [e for e in client.list_all(ref.collection) if e.get("name") == item["name"]]
    if len(found) != 1:
        raise WriteRefused(
            f"{ref.what} '{item['name']}' names {len(found)} resources in the org, not one"
        )
    return str(found[0]["id"])


def _checked(before: dict[str, Any], after: dict[str, Any], moved: bool = True) -> dict[str, Any]:
    """The written campaign, once it is as a write must leave it: its version moved (when
    `moved`), its status the one it had, and no error it did not report before."""
    name = before.get("name")
    if moved and not int(after.get("version") or 0) > int(before.get("version") or 0):
        raise WriteRefused(f"campaign {name!r} was written but its version did not move")
    if after.get("campaignStatus") != before.get("campaignStatus"):
        raise WriteRefused(
            f"campaign {name!r} was written but is now {after.get('campaignStatus')}, "
            f"not {before.get('campaignStatus')}; check it in the admin console"
        )
    new = [e for e in after.get("errors") or [] if e not in (before.get("errors") or [])]
    if new:
        said = "; ".join(str(e.get("error", e)) for e in new)
        raise WriteRefused(f"campaign {name!r} was written but now reports: {said}")
    return after


def _words(fields: Sequence[str]) -> str:
    return ", ".join(fields) if fields else "nothing"
