"""Files written from a declaration - dbt_project/kpis.yml (`salespulse kpis`),
dbt_project/quality.yml (`salespulse rules`), the contracts in models/ (`salespulse sources`) - and
checked for staleness by `--check` and the tests. Each writer gives its files as {path: text}."""

from __future__ import annotations

import json
from pathlib import Path


def json_macro(name: str, comment: str, data: object) -> str:
    """A dbt macro `name()` that returns `data` (through fromjson), under a comment `comment`."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)
    literal = text.replace("\\", "\\\\").replace("'", "\\'")
    return (
        f"{{#- {comment} -#}}\n"
        f"{{% macro {name}() -%}}\n"
        f"    {{{{ return(fromjson('{literal}')) }}}}\n"
        "{%- endmacro %}\n"
    )


def stale_files(outputs: dict[Path, str]) -> list[Path]:
    """The files whose text differs from what the declaration gives now."""
    return [
        path
        for path, text in outputs.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write_files(outputs: dict[Path, str]) -> list[Path]:
    """Write the files that changed; returns them."""
    changed = stale_files(outputs)
    for path in changed:
        path.write_text(outputs[path], encoding="utf-8")
    return changed
