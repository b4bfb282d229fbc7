"""Shell completion: click's protocol (`_RECONCILE_COMPLETE`) answers with a script to source,
or with the completions of the words typed so far, never with the help text."""

from __future__ import annotations

import pytest

COMPLETE = "_RECONCILE_COMPLETE"


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _reconcile_completion reconcile"),
        ("zsh", "compdef _reconcile_completion reconcile"),
        ("fish", "complete --no-files --command reconcile"),
    ],
)
def test_each_shell_gets_a_script_to_source(run, monkeypatch, shell: str, marker: str) -> None:
    monkeypatch.setenv(COMPLETE, f"{shell}_source")

    result = run()

    assert result.code == 0
    assert marker in result.out
    assert "Usage:" not in result.out
    assert result.err == ""


def test_a_partly_typed_command_completes_to_the_commands_it_begins(run, monkeypatch) -> None:
    monkeypatch.setenv(COMPLETE, "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "reconcile pl")
    monkeypatch.setenv("COMP_CWORD", "1")

    result = run()

    assert (result.code, result.out) == (0, "plain,plan\n")


def test_options_after_a_command_complete_too(run, monkeypatch) -> None:
    # The root's options are also accepted after the command's name, so they are offered there.
    monkeypatch.setenv(COMPLETE, "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "reconcile plan --verb")
    monkeypatch.setenv("COMP_CWORD", "2")

    result = run()

    assert (result.code, result.out) == (0, "plain,--verbose\n")


def test_an_unknown_shell_is_named_with_the_ones_there_are(run, monkeypatch) -> None:
    monkeypatch.setenv(COMPLETE, "tcsh_source")

    result = run()

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "error: no shell completion for _RECONCILE_COMPLETE=tcsh_source;"
        " set it to bash_source, zsh_source or fish_source\n"
    )
