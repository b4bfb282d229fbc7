"""Outbound campaigns as the real platform serves them: read, PUT of the whole campaign,
PATCH of the runtime fields, start and stop, and the status machine between them.

The status machine (real-api.md §5): `off -> on` and `complete -> on` are allowed;
`on -> off` passes through `stopping`, which ends after the `stop_delay` fault setting
(evaluated when the campaign is read, as index rebuilds are, so an injected clock drives it);
`complete -> off` is refused with the platform's words; nothing may be edited while
`stopping`. A running campaign refuses changes to the fields that need it off (`RUNNING_FIXED`,
inferred from the Resource Center's list of what may change while on).

With the `demo` API, a campaign also carries the demo extension's segmentation fields
(`outbound.py`); a PUT accepts and ignores them, and a PATCH carrying `version` or one of them
is the extension's PATCH.
"""

from __future__ import annotations

from typing import Any

from genesys_reconcile.sandbox import outbound
from genesys_reconcile.sandbox.campaign_shape import (
    EXTENSION,
    PATCH_FIELDS,
    checked_patch,
    checked_put,
    same,
)
from genesys_reconcile.sandbox.directory import named
from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.http import Org, Request, Response, body_object, page
from genesys_reconcile.sandbox.state import Entity, public

# What a running campaign refuses to change [inferred]: everything the Resource Center does
# not list as changeable while on, of the fields that shape who is dialled and how.
RUNNING_FIXED = (
    "contactList",
    "contactListFilters",
    "dialingMode",
    "phoneColumns",
    "contactSorts",
    "contactSort",
    "dynamicContactQueueingSettings",
    "skillColumns",
    "agentOwnedColumn",
)
STOPPING_REFUSED = "The campaign status is invalid and failed to update"
INVALID_WAY = "An attempt was made to update a Campaign in an invalid way. Details: {}"
SETTABLE_STATUSES = ("on", "off")
# What a PUT cannot set: the server's own fields, and the status, which changes by transition.
_SERVER = ("id", "dateCreated", "selfUri", "errors", "campaignStatus")


def served(org: Org, campaign: Entity) -> Entity:
    """The campaign as clients see it: with the `genesys` API, only the real fields."""
    shown = public(campaign)
    if org.api == "genesys":
        return {k: v for k, v in shown.items() if k not in EXTENSION}
    return shown


def refreshed(org: Org, campaign: Entity) -> Entity:
    """The campaign once the clock has caught up with it: a rebuild or a stop may have ended."""
    outbound.refresh_index(org, campaign)
    if campaign.get("campaignStatus") == "stopping" and org.now >= campaign["_offAt"]:
        campaign["campaignStatus"] = "off"
        del campaign["_offAt"]
        org.changed = True
    return campaign


def _found(org: Org, request: Request) -> Entity:
    return refreshed(org, org.find("campaigns", request.params["id"], "campaign"))


def list_campaigns(org: Org, request: Request) -> Response:
    campaigns = [refreshed(org, c) for c in org.state.campaigns.values()]
    listing = page(request, named(request, campaigns))
    listing.body["entities"] = [
        served(org, org.state.campaigns[e["id"]]) for e in listing.body["entities"]
    ]
    return listing


def get_campaign(org: Org, request: Request) -> Response:
    return Response(200, served(org, _found(org, request)))


def put_campaign(org: Org, request: Request) -> Response:
    campaign, body = _found(org, request), body_object(request)
    if campaign.get("campaignStatus") == "stopping":
        raise bad_request(STOPPING_REFUSED, "campaignStatus", "campaign.status.invalid")
    fields = checked_put(org, body)
    _check_version(campaign, body)
    wanted = fields.pop("campaignStatus")
    status = _transition(str(campaign.get("campaignStatus")), wanted)
    if campaign.get("campaignStatus") == "on":
        for name in RUNNING_FIXED:
            if not same(campaign.get(name), fields.get(name)):
                raise bad_request(
                    f"{name} cannot be changed while the campaign is running; turn it off first",
                    name,
                    "campaign.running",
                )
    if request.query.get("useMaxCallsPerAgentDecimal") == "true" and "maxCallsPerAgent" in fields:
        fields.setdefault("maxCallsPerAgentDecimal", float(fields["maxCallsPerAgent"]))
    kept = {k: v for k, v in campaign.items() if k in EXTENSION or k.startswith("_")}
    server = {k: campaign[k] for k in _SERVER if k in campaign}
    campaign.clear()
    campaign.update(kept, **fields, **server)
    _written(org, campaign)
    _set_status(org, campaign, status)
    return Response(200, served(org, campaign))


def patch_campaign(org: Org, request: Request) -> Response:
    body = body_object(request)
    extension = "version" in body or not set(body) <= set(PATCH_FIELDS)
    if org.api == "demo" and extension:
        return outbound.patch_segmentation(org, request)
    campaign = _found(org, request)
    if campaign.get("campaignStatus") == "stopping":
        raise bad_request(STOPPING_REFUSED, "campaignStatus", "campaign.status.invalid")
    campaign.update(checked_patch(org, body))
    _written(org, campaign)
    return Response(204)


def start_campaign(org: Org, request: Request) -> Response:
    campaign = _found(org, request)
    current = str(campaign.get("campaignStatus"))
    if current != "on":
        _set_status(org, campaign, _transition(current, "on"))
    return Response(204)


def stop_campaign(org: Org, request: Request) -> Response:
    campaign = _found(org, request)
    current = str(campaign.get("campaignStatus"))
    if current not in ("off", "stopping"):
        _set_status(org, campaign, _transition(current, "off"))
    return Response(204)


def progress(org: Org, request: Request) -> Response:
    campaign = _found(org, request)
    contact_list = org.state.contactLists.get(str(campaign.get("contactList", {}).get("id")))
    return Response(
        200,
        {
            "campaign": {"id": campaign["id"], "name": campaign["name"]},
            "contactList": {k: v for k, v in (campaign.get("contactList") or {}).items()},
            "numberOfContactsCalled": 0,
            "totalNumberOfContacts": int(contact_list["size"]) if contact_list else 0,
            "percentage": 0,
            "numberOfContactsSkipped": {},
        },
    )


def _check_version(campaign: Entity, body: dict[str, Any]) -> None:
    # The status and code a real org gives a stale version are unverified (real-api.md §9):
    # a 400 in words, as the platform's outbound refusals are worded.
    if body["version"] != campaign["version"]:
        raise bad_request(
            f"The campaign version {body['version']} does not match the current version "
            f"{campaign['version']}",
            "version",
            "version.mismatch",
        )


def _transition(current: str, wanted: str) -> str:
    """The status a change from `current` to `wanted` leads to, or the platform's refusal."""
    if current == wanted:
        return current
    if wanted not in SETTABLE_STATUSES or current not in ("on", "off", "complete"):
        raise _invalid(current, wanted)
    if (current, wanted) == ("complete", "off"):
        raise _invalid(current, wanted)
    return "stopping" if (current, wanted) == ("on", "off") else wanted


def _invalid(current: str, wanted: str) -> ApiError:
    words = f"Invalid transition from <{current.upper()}> to <{wanted.upper()}>"
    return bad_request(INVALID_WAY.format(words), "campaignStatus", "invalid.transition")


def _set_status(org: Org, campaign: Entity, status: str) -> None:
    if status == campaign.get("campaignStatus"):
        return
    campaign["campaignStatus"] = status
    if status == "stopping":
        campaign["_offAt"] = org.now + org.faults.stop_delay
    org.changed = True


def _written(org: Org, campaign: Entity) -> None:
    campaign["version"] = int(campaign["version"]) + 1
    campaign["dateModified"] = org.timestamp()
    if "modifiedDate" in campaign:
        campaign["modifiedDate"] = campaign["dateModified"]
    org.changed = True
