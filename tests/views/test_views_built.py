"""The committed views are built from the committed sources, and stand alone.

scripts/build_views.sh (views/build.mjs) writes into every output the hash of the files it was
built from; recomputing it here, by the same rule, tells a stale build without Node.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from shared.settings import REPO_ROOT

VIEWS_SRC = REPO_ROOT / "views"
OUTPUTS = sorted((REPO_ROOT / "shared" / "views").glob("*.html")) + [REPO_ROOT / "tests" / "views" / "host.html"]
SOURCE_META = re.compile(r'<meta name="ovaledge-views-source" content="sha256:([0-9a-f]{64})">')


def source_hash() -> str:
    """views/build.mjs's sourceHash(): each source file's path and sha256, in path order."""
    listed = ["build.mjs", "package.json", "package-lock.json", ".npmrc"]
    for folder in ("src", "test-host"):
        listed += [f"{folder}/{path.name}" for path in (VIEWS_SRC / folder).iterdir()]
    digest = hashlib.sha256()
    for path in sorted(listed):
        content = hashlib.sha256((VIEWS_SRC / path).read_bytes()).hexdigest()
        digest.update(f"{path}\n{content}\n".encode())
    return digest.hexdigest()


def test_there_are_four_views_and_a_host_page():
    assert [p.name for p in OUTPUTS] == [
        "asset-details.html", "asset-explorer.html", "asset-lineage.html", "metadata-changes.html", "host.html"]


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda p: p.name)
def test_build_is_fresh(output: Path):
    found = SOURCE_META.search(output.read_text(encoding="utf-8"))
    assert found, f"{output} carries no source hash: rebuild with scripts/build_views.sh"
    assert found.group(1) == source_hash(), (
        f"{output.relative_to(REPO_ROOT)} was built from other sources than views/ holds now: "
        "run scripts/build_views.sh and commit its outputs")


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda p: p.name)
def test_view_loads_nothing_from_outside(output: Path):
    """One file each: a host's sandbox allows no network, so no script, style or image is fetched."""
    html = output.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc=", html, re.I)
    assert not re.search(r"<link[^>]*\shref=", html, re.I)
    assert html.count("<script") == 1 and html.count("<style") == 1
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert not re.search(r"@import|url\(", style, re.I)


def test_bundled_licences_are_kept():
    readme = (VIEWS_SRC / "LICENSES" / "README.md").read_text(encoding="utf-8")
    assert "@modelcontextprotocol/ext-apps" in readme
    for kept in re.findall(r"\(\[text\]\(([^)]+)\)\)", readme):
        assert (VIEWS_SRC / "LICENSES" / kept).stat().st_size > 200, kept
