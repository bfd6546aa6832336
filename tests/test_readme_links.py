"""README's links work inside the repository (issue 17, item 7): every relative link names a file in it."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_relative_link_in_readme_is_a_file_of_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", text) if not re.match(r"[a-z]+:", t)]
    assert targets, "README has relative links"
    broken = [t for t in targets if t and not ((ROOT / t).resolve().is_relative_to(ROOT) and (ROOT / t).exists())]
    assert broken == []
