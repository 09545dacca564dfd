"""The stages' public APIs (what other stages may import, see .importlinter) give what they name."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest


@pytest.mark.parametrize("package", ["stancebank.export", "stancebank.validation"])
def test_public_names_resolve_to_their_objects_after_every_submodule_was_imported(package: str) -> None:
    api = importlib.import_module(package)
    submodules = {m.name for m in pkgutil.iter_modules(api.__path__)}
    # importing a submodule sets the package attribute of the same name to that module
    assert not set(api.__all__) & submodules, f"{package}: public names shadowed by submodules"
    for name in sorted(submodules):
        importlib.import_module(f"{package}.{name}")
    for name in api.__all__:
        assert not isinstance(getattr(api, name), ModuleType), f"{package}.{name} is a module"


def test_adjudicate_article_is_the_gold_policy_even_after_its_module_was_imported() -> None:
    import stancebank.export.adjudicate as module
    from stancebank.export import adjudicate_article

    assert adjudicate_article is module.adjudicate
