"""The widget's bundle is served without its font import from Google."""

from __future__ import annotations

from pathlib import Path

from web.bundle import WidgetBundle, strip_external_imports
from web.settings import WIDGET_BUNDLE

GOOGLE_IMPORT = (
    "@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"
)


def test_an_external_import_is_removed_and_the_rules_kept() -> None:
    css = f'.push([e.i,"{GOOGLE_IMPORT}",""]),t.push([e.i,".rw-header{{color:#fff}}",""])'
    expected = '.push([e.i,"",""]),t.push([e.i,".rw-header{color:#fff}",""])'
    assert strip_external_imports(css) == expected


def test_protocol_relative_and_quoted_imports_are_removed_too() -> None:
    css = "@import url('//cdn.example/a.css');@import url( \"http://cdn.example/b.css\" ) ;a{}"
    assert strip_external_imports(css) == "a{}"


def test_a_local_import_is_kept() -> None:
    assert strip_external_imports("@import url(/static/local.css);") == (
        "@import url(/static/local.css);"
    )


def test_the_installed_bundle_has_its_imports_removed_and_still_defines_the_widget() -> None:
    original = WIDGET_BUNDLE.read_text(encoding="utf-8")
    assert original.count("fonts.googleapis.com") == 11  # rasa-webchat 1.0.1
    rewritten = WidgetBundle(WIDGET_BUNDLE).text()
    assert "fonts.googleapis.com" not in rewritten
    assert "@import" not in rewritten
    assert "e.WebChat=t()" in rewritten
    assert len(original) - len(rewritten) == 11 * len(GOOGLE_IMPORT)


def test_the_bundle_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "index.js"
    path.write_text(f'x("{GOOGLE_IMPORT}")', encoding="utf-8")
    bundle = WidgetBundle(path)
    assert bundle.text() == 'x("")'
    path.write_text("changed", encoding="utf-8")
    assert bundle.text() == 'x("")'
