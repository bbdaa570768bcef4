"""JSON Schemas of every event, generated from the pydantic models (``make schemas``).

``docs/events/<type>.schema.json`` is what other systems read; a test fails when these files and
the models drift apart.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lotsen.contracts.envelope import event_types

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "docs" / "events"


def render() -> dict[str, str]:
    """File name → file content for every event type."""
    files: dict[str, str] = {}
    for event_type, cls in sorted(event_types().items()):
        schema: dict[str, Any] = cls.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://lotsen.example/events/{event_type}.schema.json"
        schema["title"] = event_type
        files[f"{event_type}.schema.json"] = (
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
    return files


def export(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    wanted = render()
    for stale in directory.glob("*.schema.json"):
        if stale.name not in wanted:
            stale.unlink()
    for name, content in wanted.items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    paths = export(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR)
    print(f"wrote {len(paths)} event schemas to {paths[0].parent}")
