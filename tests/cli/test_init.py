"""`reconcile init [DIR]`: a configuration repository to start from, which validates, plans
against the sandbox, and whose workflows pass the linters the project's own pass."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from genesys_reconcile import scaffold
from genesys_reconcile.kinds import DIRECTORIES, KINDS
from genesys_reconcile.manifest.schema import schema_dir, schema_findings
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = ("plan", "apply", "drift")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by its path relative to it, with its content."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def modeline(path: Path) -> Path:
    """The schema a file's first line points editors at, resolved from the file's directory."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert found, f"{path}: no schema modeline"
    return (path.parent / found[1]).resolve()


@pytest.fixture
def initialised(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    result = run("init")
    assert result.code == 0, result.err
    return tmp_path


def test_an_initialised_repository_validates_and_plans_against_the_sandbox(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    made = run("init")
    validated = run("validate")
    planned = run("plan", "--sandbox")

    assert (made.code, made.err) == (0, "")
    assert "wrote reconcile.yaml" in made.out.splitlines()
    assert made.out.endswith("  reconcile validate\n  reconcile plan --sandbox\n")
    assert (validated.code, validated.err) == (0, "")
    assert validated.out == f"{len(KINDS)} files valid\n"
    assert planned.code == 0, planned.err
    assert "Plan: " in planned.out


def test_init_makes_the_directory_it_is_given_and_says_to_go_there(run, tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "org-config"))

    assert result.code == 0, result.err
    assert (tmp_path / "org-config" / "reconcile.yaml").is_file()
    assert f"  cd {tmp_path / 'org-config'}\n  reconcile validate\n" in result.out


def test_each_kind_gets_one_commented_example_in_its_directory(initialised: Path) -> None:
    for kind in KINDS.values():
        examples = list((initialised / kind.directory).glob("*.yaml"))
        assert len(examples) == 1, kind.directory
        text = examples[0].read_text(encoding="utf-8")
        assert yaml.safe_load(text)["kind"] == kind.kind
        # Beyond the modeline, comments explain the fields.
        assert sum("# " in line for line in text.splitlines()[1:]) >= 3, examples[0]


def test_modelines_point_at_copies_of_the_installed_schemas(initialised: Path) -> None:
    for kind in KINDS.values():
        (example,) = (initialised / kind.directory).glob("*.yaml")
        assert modeline(example) == initialised / "schemas" / kind.schema_file
    assert modeline(initialised / "reconcile.yaml") == (
        initialised / "schemas" / "reconcile-config.schema.json"
    )
    for schema in (initialised / "schemas").iterdir():
        assert schema.read_bytes() == (schema_dir() / schema.name).read_bytes()


def test_the_settings_file_is_valid_and_the_working_files_ignored(initialised: Path) -> None:
    settings = yaml.safe_load((initialised / "reconcile.yaml").read_text(encoding="utf-8"))

    assert schema_findings("reconcile-config.schema.json", settings) == []
    assert ".reconcile/" in (initialised / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_a_second_init_refuses_lists_what_exists_and_changes_nothing(
    run, initialised: Path
) -> None:
    (initialised / "segments" / "short-voice-calls.yaml").write_text("edited\n", "utf-8")
    before = tree(initialised)

    result = run("init")

    assert (result.code, result.out) == (1, "")
    assert "  reconcile.yaml\n" in result.err
    assert "  segments/short-voice-calls.yaml\n" in result.err
    assert result.err.endswith(
        f"error: init would overwrite {len(before)} existing files, listed above;"
        " move them away or run init --force\n"
    )
    assert tree(initialised) == before


def test_one_existing_file_stops_init_before_it_writes_anything(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gitignore").write_text("node_modules/\n", "utf-8")

    result = run("init")

    assert result.code == 1
    assert result.err == (
        "  .gitignore\n"
        "error: init would overwrite 1 existing file, listed above;"
        " move it away or run init --force\n"
    )
    assert tree(tmp_path) == {".gitignore": b"node_modules/\n"}


def test_force_writes_over_existing_files(run, initialised: Path) -> None:
    example = initialised / "segments" / "short-voice-calls.yaml"
    pristine = example.read_bytes()
    example.write_text("edited\n", "utf-8")

    result = run("init", "--force")

    assert result.code == 0, result.err
    assert example.read_bytes() == pristine


def test_the_workflows_pass_zizmor_and_githubs_workflow_schema(initialised: Path) -> None:
    workflows = [initialised / ".github" / "workflows" / f"{name}.yml" for name in WORKFLOWS]
    audited = subprocess.run(
        [BIN / "zizmor", "--offline", "--quiet", initialised],
        capture_output=True,
        text=True,
        check=False,
    )
    checked = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows],
        capture_output=True,
        text=True,
        check=False,
    )
    dependabot = subprocess.run(
        [
            BIN / "check-jsonschema",
            "--builtin-schema",
            "vendor.dependabot",
            initialised / ".github" / "dependabot.yml",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert dependabot.returncode == 0, dependabot.stdout + dependabot.stderr


def test_the_workflows_run_the_published_action_on_every_kinds_directory(
    initialised: Path,
) -> None:
    paths = [f"{directory}/**" for directory in DIRECTORIES] + [
        "schemas/**",
        "reconcile.yaml",
        "reconcile.owned.yaml",
    ]
    for name in WORKFLOWS:
        text = (initialised / ".github" / "workflows" / f"{name}.yml").read_text("utf-8")
        workflow = yaml.safe_load(text)
        steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
        ours = [s["uses"] for s in steps if "genesys-reconcile" in s.get("uses", "")]
        assert ours and set(ours) == {"OWNER/genesys-reconcile@v0.1.0"}, name
        others = [s["uses"] for s in steps if "uses" in s and s["uses"] not in ours]
        assert all(re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", uses) for uses in others), others
        if name != "drift":
            assert workflow[True]["pull_request" if name == "plan" else "push"]["paths"] == paths


def test_action_names_where_the_action_and_the_hook_are_hosted(run, tmp_path: Path) -> None:
    result = run("init", "--action", "acme/genesys-reconcile@v0.2.0", str(tmp_path))

    assert result.code == 0, result.err
    plan = (tmp_path / ".github" / "workflows" / "plan.yml").read_text("utf-8")
    assert "uses: acme/genesys-reconcile@v0.2.0\n" in plan
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text("utf-8"))
    assert hooks["repos"] == [
        {
            "repo": "https://github.com/acme/genesys-reconcile",
            "rev": "v0.2.0",
            "hooks": [{"id": "reconcile-validate"}, {"id": "reconcile-own"}],
        }
    ]
    zizmor = yaml.safe_load((tmp_path / ".github" / "zizmor.yml").read_text("utf-8"))
    assert zizmor["rules"]["unpinned-uses"]["config"]["policies"] == {
        "acme/genesys-reconcile": "ref-pin"
    }


def test_an_action_without_a_ref_is_refused_with_the_form_it_takes(run, tmp_path: Path) -> None:
    result = run("init", "--action", "acme/genesys-reconcile", str(tmp_path))

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "error: --action acme/genesys-reconcile: give OWNER/NAME@REF, such as"
        " acme/genesys-reconcile@v0.1.0\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_pre_commit_hook_is_the_projects_own(initialised: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    config = yaml.safe_load((initialised / ".pre-commit-config.yaml").read_text("utf-8"))

    used = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert used == [hook["id"] for hook in hooks]  # validate, then record what is owned
    checked = subprocess.run(
        [BIN / "pre-commit", "validate-config", initialised / ".pre-commit-config.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_kind_has_an_example_to_scaffold() -> None:
    # A kind added to the registry without an example under scaffold/examples/<kind>/ fails
    # here, not in a user's `reconcile init`.
    assert sorted(scaffold.examples()) == sorted(KINDS)


def test_help_shows_an_example(run) -> None:
    result = run("init", "--help")

    assert result.code == 0
    assert "reconcile init my-org-config" in result.out
    assert "--force" in result.out


def test_a_directory_that_cannot_be_made_is_an_error_not_a_crash(run, tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("a file, not a directory\n", "utf-8")

    result = run("init", str(tmp_path / "notes" / "org-config"))

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"error: cannot make {tmp_path / 'notes' / 'org-config'}: Not a directory;"
        " name a directory init can write in\n"
    )


def test_a_file_where_a_kinds_directory_goes_is_in_the_way_too(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "segments").write_text("a file\n", "utf-8")

    result = run("init")

    assert result.code == 1
    assert result.err.startswith("  segments\nerror: init would overwrite 1 existing file,")
    assert tree(tmp_path) == {"segments": b"a file\n"}
