"""Write what the registry of kinds decides into the files that cannot import it.

- `schemas/reconcile-config.schema.json`: the `kinds:` section, each kind's `options_schema`
  (editors read the schema file; the tool checks reconcile.yaml against the same file);
- `.github/workflows/plan.yml` and `apply.yml`: the path filters, each kind's directory.

Run it after adding a kind: `python scripts/sync_kinds.py`; `--check` only reports what is out
of date (exit 1), as the tests do.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from genesys_reconcile.kinds import KINDS
from genesys_reconcile.scaffold import watched

ROOT = Path(__file__).resolve().parent.parent
CONFIG_SCHEMA = "schemas/reconcile-config.schema.json"
WORKFLOWS = (".github/workflows/plan.yml", ".github/workflows/apply.yml")
# The one flow-style `paths:` line of a workflow's trigger.
_PATHS = re.compile(r"^(\s*paths: )\[[^\]\n]*\]$", re.MULTILINE)


def config_schema(text: str) -> str:
    schema = json.loads(text)
    sections = {name: dict(kind.options_schema) for name, kind in sorted(KINDS.items())}
    schema["properties"]["kinds"]["properties"] = sections
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def workflow(text: str) -> str:
    paths = watched()
    return _PATHS.sub(lambda found: f"{found[1]}[{', '.join(paths)}]", text, count=1)


def main(argv: list[str], root: Path = ROOT) -> int:
    check = "--check" in argv
    stale = []
    for name, derive in ((CONFIG_SCHEMA, config_schema), *((w, workflow) for w in WORKFLOWS)):
        path = root / name
        text = path.read_text(encoding="utf-8")
        wanted = derive(text)
        if wanted != text:
            stale.append(name)
            if not check:
                path.write_text(wanted, encoding="utf-8")
    for name in stale:
        print(f"{name}: {'out of date' if check else 'updated'}")
    return 1 if stale and check else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
