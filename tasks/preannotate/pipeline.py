"""The pre-annotator: text → spaCy → actors, claims with speakers, stances → spans and relations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from stancebank.schema.model import Relation, Span
from stancebank.tasks.preannotate.actors import Mention, find_actors
from stancebank.tasks.preannotate.claims import Claim, find_claims
from stancebank.tasks.preannotate.labels import (
    ACTOR,
    ACTOR_NAME,
    ACTOR_TYPE,
    CLAIM,
    CLAIM_FORM,
    SOURCE,
    TARGET,
    TARGET_NAME,
)
from stancebank.tasks.preannotate.mentions import Catalogue
from stancebank.tasks.preannotate.model import load_model, model_version_for
from stancebank.tasks.preannotate.nonclaims import is_bare_reaction, is_procedure_report, is_vote
from stancebank.tasks.preannotate.prefilter import cuts_blanked_text, mask_unattributed
from stancebank.tasks.preannotate.quotes import claim_bounds
from stancebank.tasks.preannotate.resources import ActorsKey, load_resources
from stancebank.tasks.preannotate.stances import add_stances, is_event_report
from stancebank.tasks.preannotate.wordforms import trigger_pattern

_BATCH_SIZE = 32


CatalogueKey = tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
"""A target catalogue as plain, hashable data: ``(canonical name, literal phrases, patterns)`` per
target (see :func:`catalogue_key`)."""


def catalogue_key(targets: Sequence[Any]) -> CatalogueKey:
    """The hashable form of a project's ``[[targets]]`` (:class:`stancebank.schema.project.Target`)."""
    return tuple((t.name, tuple(t.phrases), tuple(t.patterns)) for t in targets)


class Preannotator:
    def __init__(self, model: str, catalogue: CatalogueKey = (), actors: ActorsKey = ()) -> None:
        self.model = model
        self.catalogue = Catalogue.build(catalogue)
        self.nlp = load_model(model)
        self.resources = load_resources().with_actors(actors)
        self.version = model_version_for(model)
        self.triggers = trigger_pattern(self.resources.speech_verbs | self.resources.speech_acts)
        self.stats: Counter[str] = Counter()
        self.max_parse_chars = MAX_PARSE_CHARS

    def annotate(self, text: str) -> tuple[list[Span], list[Relation]]:
        return self.annotate_many([text])[0]

    def annotate_many(self, texts: Sequence[str]) -> list[tuple[list[Span], list[Relation]]]:
        """Annotate texts; only the parts that can hold an attribution go through the pipeline
        (:func:`mask_unattributed`), the rest is blanked with offsets kept. A text in which a region
        reaches into blanked text is parsed again whole, so the mask never changes a region. A
        text longer than :data:`MAX_PARSE_CHARS` is parsed in pieces cut at paragraph ends
        (:func:`pieces`)."""
        res = self.resources
        masked = [mask_unattributed(t, self.triggers, res.abbreviations) for t in texts]
        self.stats["chars"] += sum(len(t) for t in texts)
        self.stats["parsed_chars"] += sum(
            len(m) - m.count(" ") + t.count(" ") for m, t in zip(masked, texts, strict=True)
        )
        out = self._parse(masked, texts)
        # TARGETs may lie in blanked text (a catalogue mention in the sentence before a claim): they
        # are found on the original text, so only the parsed regions must stay clear of blanks.
        cut = [
            i
            for i, (spans, _) in enumerate(out)
            if cuts_blanked_text(texts[i], masked[i], [(s.start, s.end) for s in spans if s.label != TARGET])
        ]
        if cut:
            self.stats["parsed_again"] += len(cut)
            self.stats["parsed_chars"] += sum(texts[i].count(" ") - masked[i].count(" ") for i in cut)
            whole = [texts[i] for i in cut]
            for i, again in zip(cut, self._parse(whole, whole), strict=True):
                out[i] = again
        return out

    def _parse(
        self, texts: Sequence[str], originals: Sequence[str]
    ) -> list[tuple[list[Span], list[Relation]]]:
        """Parse texts as given (masked or not) and annotate their ``originals`` (same offsets).
        Texts within the limit go through spaCy in batches; a longer one piece by piece, one piece
        in memory at a time."""
        cuts = [pieces(t, self.max_parse_chars) for t in texts]
        whole = [i for i, cut in enumerate(cuts) if len(cut) == 1]
        out: dict[int, tuple[list[Span], list[Relation]]] = {}
        for i, doc in zip(
            whole, self.nlp.pipe((texts[i] for i in whole), batch_size=_BATCH_SIZE), strict=True
        ):
            out[i] = self._finish(originals[i], *self._find(doc))
        for i, cut in enumerate(cuts):
            if len(cut) == 1:
                continue
            mentions: list[Mention] = []
            claims: list[Claim] = []
            docs = self.nlp.pipe((texts[i][a:b] for a, b in cut), batch_size=1)
            for (start, _end), doc in zip(cut, docs, strict=True):
                found_mentions, found_claims = self._find(doc)
                _shift(found_mentions, found_claims, start)
                mentions.extend(found_mentions)
                claims.extend(found_claims)
            out[i] = self._finish(originals[i], mentions, claims)
        return [out[i] for i in range(len(texts))]

    def annotate_doc(self, doc: Any) -> tuple[list[Span], list[Relation]]:
        mentions, claims = self._find(doc)
        return self._finish(doc.text, mentions, claims)

    def _find(self, doc: Any) -> tuple[list[Mention], list[Claim]]:
        """Every mention (named or speaking) and every claim of one parsed text."""
        actors = find_actors(doc, self.resources)
        claims, extra = find_claims(doc, actors, self.resources)
        return actors + extra, claims

    def _finish(
        self, text: str, mentions: list[Mention], claims: list[Claim]
    ) -> tuple[list[Span], list[Relation]]:
        cues = self.resources.cues
        claims = [
            c
            for c in _unique_claims(text, claims)
            if not (
                c.nonclaim
                or is_event_report(text, c, cues)
                or is_procedure_report(text, c, cues)
                or is_bare_reaction(text, c)
                or is_vote(text, c)
            )
        ]
        add_stances(text, claims, cues, self.catalogue)
        return to_spans(text, claims, mentions)


MAX_PARSE_CHARS = 100_000
"""The longest text parsed as one document. spaCy refuses texts over ``nlp.max_length`` (1,000,000
characters, error E088) and its parser needs about 1 GB per 100,000 characters; longer texts are
parsed in pieces of at most this many characters."""


def pieces(text: str, limit: int = MAX_PARSE_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` pieces covering ``text``, each at most ``limit`` characters, cut after a
    line break when there is one in the piece (a paragraph end: no claim crosses it), else after
    the last whitespace, else anywhere. A text within the limit is one piece."""
    out: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        window_end = start + limit
        cut = text.rfind("\n", start, window_end) + 1
        if cut <= start:
            space = max(text.rfind(" ", start, window_end), text.rfind("\t", start, window_end))
            cut = space + 1 if space >= start else window_end
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out


def _shift(mentions: list[Mention], claims: list[Claim], offset: int) -> None:
    """Move a piece's findings to offsets in the whole text (a claim's speaker is one of the
    mentions, so it moves with them)."""
    for m in mentions:
        m.start += offset
        m.end += offset
    for c in claims:
        c.start += offset
        c.end += offset


def _unique_claims(text: str, claims: list[Claim]) -> list[Claim]:
    """Claims trimmed to the guidelines' bounds, one per (start, end) (the first found), in text order."""
    unique: dict[tuple[int, int], Claim] = {}
    for c in claims:
        c.start, c.end = claim_bounds(text, c.start, c.end, c.form)
        if c.end > c.start and (c.start, c.end) not in unique:
            unique[(c.start, c.end)] = c
    return sorted(unique.values(), key=lambda c: c.start)


def _speakers(text: str, claims: list[Claim], mentions: list[Mention]) -> list[Mention]:
    """The mentions that speak (guidelines 3: people merely mentioned are not marked), trimmed of
    whitespace, one per (start, end), in text order."""
    for m in mentions:
        while m.start < m.end and text[m.start].isspace():
            m.start += 1
        while m.end > m.start and text[m.end - 1].isspace():
            m.end -= 1
    speaking = {(c.speaker.start, c.speaker.end) for c in claims if c.speaker is not None}
    by_pos = {(m.start, m.end): m for m in mentions if m.end > m.start and (m.start, m.end) in speaking}
    return sorted(by_pos.values(), key=lambda m: m.start)


def to_spans(text: str, claims: list[Claim], mentions: list[Mention]) -> tuple[list[Span], list[Relation]]:
    """Spans and relations with the spec's labels: speaking actors, claims with their source, and
    each claim's stance on its targets (a target found by several claims is one span)."""
    spans: list[Span] = []
    relations: list[Relation] = []
    actors = _speakers(text, claims, mentions)
    for n, m in enumerate(actors, start=1):
        m.id = f"actor-{n}"
        attrs = {ACTOR_TYPE: m.type}
        name = m.name.strip() if m.name else ""
        if name:  # a name the parser ran across a line break ends at it, as the wire form reads it
            attrs[ACTOR_NAME] = name
        spans.append(Span(m.id, ACTOR, m.start, m.end, text[m.start : m.end], attrs, round(m.score, 3)))
    by_pos = {(m.start, m.end): m for m in actors}
    targets: dict[tuple[int, int], str] = {}
    for n, c in enumerate(claims, start=1):
        c.id = f"claim-{n}"
        spans.append(Span(c.id, CLAIM, c.start, c.end, text[c.start : c.end], {CLAIM_FORM: c.form}, c.score))
        if c.speaker is not None:
            speaker = by_pos.get((c.speaker.start, c.speaker.end))
            if speaker is not None:
                relations.append(Relation(speaker.id, c.id, SOURCE, c.score))
        for t0, t1, stance, score, name in c.stances:
            if (t0, t1) not in targets:
                targets[(t0, t1)] = f"target-{len(targets) + 1}"
                attrs = {TARGET_NAME: name} if name else {}
                spans.append(Span(targets[(t0, t1)], TARGET, t0, t1, text[t0:t1], attrs, score))
            rel = Relation(c.id, targets[(t0, t1)], stance, score)
            if rel not in relations:
                relations.append(rel)
    return spans, relations


@lru_cache(maxsize=4)
def get_preannotator(model: str, catalogue: CatalogueKey = (), actors: ActorsKey = ()) -> Preannotator:
    """One annotator per model name, catalogue and known actors per process (the spaCy pipeline is
    loaded once per model)."""
    return Preannotator(model, catalogue, actors)
