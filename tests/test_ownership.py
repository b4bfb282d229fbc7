"""reconcile.owned.yaml: its format (stable to the byte, any name read back as written), its
errors, `reconcile own` and `validate`'s warning for a declared resource it does not record."""

from __future__ import annotations

from pathlib import Path

import pytest

from genesys_reconcile.manifest.yaml import load_file
from genesys_reconcile.ownership import FILE_NAME, HEADER, Ownership
from tests.conftest import ROOT

ODD_NAMES = [
    "yes",
    "No",
    "null",
    "123",
    "1e3",
    "a: b",
    "#hash",
    "trailing ",
    " leading",
    "- dash",
    "Café crème",
    'quote " and \\ backslash',
    "[list]",
    "{map}",
    "*star",
    "&amp",
    "!tag",
    "%pct",
    "@at",
    "`tick`",
    "it's",
    "a # b",
]


def test_the_record_is_sorted_commented_and_the_same_bytes_whatever_the_order(
    tmp_path: Path,
) -> None:
    one, other = Ownership.load(tmp_path), Ownership(tmp_path / FILE_NAME)
    pairs = [("RuleSet", "b"), ("ContactListFilter", "Holiday Promo audience"), ("RuleSet", "a")]
    assert one.add(pairs) == sorted(pairs)
    assert one.save() is True
    text = (tmp_path / FILE_NAME).read_text(encoding="utf-8")
    assert text == (
        HEADER + "ContactListFilter:\n  - Holiday Promo audience\nRuleSet:\n  - a\n  - b\n"
    )
    assert Ownership.load(tmp_path).save() is False  # unchanged: not written
    other.add(reversed(pairs))
    other.save()
    assert (tmp_path / FILE_NAME).read_text(encoding="utf-8") == text


def test_add_and_forget_say_what_changed_and_an_empty_record_is_its_header(
    tmp_path: Path,
) -> None:
    record = Ownership.load(tmp_path)
    assert record.pairs() == [] and record.path == tmp_path / FILE_NAME
    assert record.add([("RuleSet", "a")]) == [("RuleSet", "a")]
    assert record.add([("RuleSet", "a"), ("RuleSet", "b")]) == [("RuleSet", "b")]
    assert record.forget([("RuleSet", "a"), ("RuleSet", "c")]) == [("RuleSet", "a")]
    assert record.owns("RuleSet", "b") and not record.owns("RuleSet", "a")
    record.forget([("RuleSet", "b")])
    record.save()
    assert (tmp_path / FILE_NAME).read_text(encoding="utf-8") == HEADER
    assert Ownership.load(tmp_path).pairs() == []


def test_any_name_is_read_back_as_written(tmp_path: Path) -> None:
    record = Ownership.load(tmp_path)
    record.add(("AnalyticsSegment", name) for name in ODD_NAMES)
    record.save()
    assert Ownership.load(tmp_path).pairs() == sorted(("AnalyticsSegment", n) for n in ODD_NAMES)
    data = load_file(tmp_path / FILE_NAME).data  # as any YAML reader sees it, too
    assert sorted(data["AnalyticsSegment"]) == sorted(ODD_NAMES)


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("RuleSet: Do-not-call safety\n", "1:1", "RuleSet: expected a list of names"),
        ("RuleSet:\n  - a\n  - [b]\n", "3:5", "RuleSet: expected a name"),
        ("RuleSet:\n  - a\n - b\n", "3:2", "invalid YAML"),
        ("- a\n", "1:1", "the top level must be a mapping of kinds, not a list"),
    ],
)
def test_a_malformed_record_is_an_error_naming_its_line_and_the_fix(
    run, repo: Path, text: str, where: str, problem: str
) -> None:
    (repo / FILE_NAME).write_text(text, encoding="utf-8")
    for args in (("plan", "--sandbox"), ("own",), ("validate",)):
        result = run(*args)
        assert result.code == 1, args
        assert result.err.startswith(f"error: {FILE_NAME}:{where}: {problem}"), result.err
        assert result.err.endswith(
            f"; write {FILE_NAME} as `KIND:` lines, each followed by `  - NAME` lines\n"
        )
        assert "Traceback" not in result.err


def test_the_example_repository_records_what_its_files_declare(run, repo: Path) -> None:
    result = run("own", "--check")
    assert (result.code, result.err) == (0, "")
    result = run("validate")
    assert (result.code, result.out) == (0, "13 files valid\n")


def test_own_records_every_declared_resource_and_check_says_which_are_missing(
    run, repo: Path
) -> None:
    (repo / FILE_NAME).unlink()
    check = run("own", "--check")
    assert check.code == 1
    assert not (repo / FILE_NAME).exists()  # --check changes nothing
    assert (
        "not recorded: AnalyticsSegment/Long Holds in Support (segments/long-holds-in-support.yaml)\n"
        in check.err
    )
    assert check.err.endswith(
        f"error: 9 declared resources are not recorded in {FILE_NAME}; run `reconcile own` "
        "and commit it\n"
    )
    result = run("own")
    assert result.code == 0
    assert result.out.endswith(f"{FILE_NAME}: 9 recorded, 0 forgotten; commit it.\n")
    assert (repo / FILE_NAME).read_bytes() == (ROOT / FILE_NAME).read_bytes()
    again = run("own", "--exit-non-zero-on-change")
    assert (again.code, again.out) == (0, f"{FILE_NAME} records every declared resource.\n")
    record = Ownership.load(repo)
    record.forget([("RuleSet", "Do-not-call safety")])
    record.save()
    hook = run("own", "--exit-non-zero-on-change")  # as the pre-commit hook runs it
    assert hook.code == 1
    assert hook.out == (
        f"recorded: RuleSet/Do-not-call safety\n{FILE_NAME}: 1 recorded, 0 forgotten; commit it.\n"
    )
    assert (repo / FILE_NAME).read_bytes() == (ROOT / FILE_NAME).read_bytes()
    assert run("own", "--check").code == 0


def test_own_forgets_only_what_it_is_told_to_and_only_when_no_file_declares_it(
    run, repo: Path
) -> None:
    (repo / "segments/short-voice-calls.yaml").unlink()
    kept = run("own")
    assert kept.code == 0
    assert (
        "recorded, declared by no file (--prune deletes it): AnalyticsSegment/Short Voice Calls"
        in kept.err
    )
    assert Ownership.load(repo).owns("AnalyticsSegment", "Short Voice Calls")
    declared = run("own", "--forget", "RuleSet/Do-not-call safety")
    assert declared.code == 1
    assert declared.err == (
        "error: RuleSet/Do-not-call safety is declared by outbound/rulesets/do-not-call-safety.yaml;"
        " remove that file first, or keep it recorded\n"
    )
    forgot = run("own", "--forget", "AnalyticsSegment/Short Voice Calls")
    assert forgot.code == 0
    assert forgot.out.endswith(f"{FILE_NAME}: 0 recorded, 1 forgotten; commit it.\n")
    assert not Ownership.load(repo).owns("AnalyticsSegment", "Short Voice Calls")
    unknown = run("own", "--forget", "AnalyticsSegment/Nothing")
    assert (unknown.code, unknown.err) == (
        1,
        f"error: {FILE_NAME} does not record AnalyticsSegment/Nothing\n",
    )


def test_validate_warns_of_a_declared_resource_the_record_lacks(run, repo: Path) -> None:
    record = Ownership.load(repo)
    record.forget([("AnalyticsSegment", "Short Voice Calls")])
    record.save()
    result = run("validate")
    assert result.code == 0
    assert (
        "segments/short-voice-calls.yaml:3:1: warning: name: not recorded in reconcile.owned.yaml: "
        "removing this file later would not delete it; run `reconcile own`"
    ) in result.out
    assert result.out.count("warning:") == 1
    assert run("validate", "--strict").code == 1


def test_a_repository_without_a_record_validates_without_ownership_warnings(
    run, repo: Path
) -> None:
    (repo / FILE_NAME).unlink()
    assert run("validate").out == "13 files valid\n"


def test_a_record_that_is_not_a_file_is_one_error(run, repo: Path) -> None:
    (repo / FILE_NAME).unlink()
    (repo / FILE_NAME).mkdir()
    result = run("own")
    assert (result.code, result.err) == (
        1,
        f"error: {FILE_NAME} is not a regular file; write {FILE_NAME} as `KIND:` lines, each "
        "followed by `  - NAME` lines\n",
    )
