"""The README is where a newcomer and an operator look: it must stay true to the code."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_readme_documents_every_setting_read_from_the_environment():
    settings_source = (ROOT / "lerenmetdestad" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    variables = set(re.findall(r'env_(?:str|bool|int|list|url)\(\s*"([A-Z_]+)"', settings_source))

    undocumented = sorted(name for name in variables if f"`{name}`" not in readme)

    assert len(variables) > 30
    assert undocumented == []


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]

    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()[1:]] == [
        "make run",
        "make test",
    ]


def test_readme_screenshots_exist():
    # tests/e2e/ writes them (tests/e2e/screenshots.py); a renamed one would leave a hole.
    readme = (ROOT / "README.md").read_text()
    shown = re.findall(r"docs/screenshots/[a-z0-9-]+\.png", readme)

    assert len(shown) >= 7
    assert [path for path in shown if not (ROOT / path).is_file()] == []
