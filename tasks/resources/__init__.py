"""Data files of the tasks stage, all topic-independent: boilerplate rules, speech verbs and acts,
speaker words, a gazetteer of actors, abbreviations and stance cues. Targets come from the
project's catalogue (``[[targets]]`` in ``stancebank.toml``), never from the package."""
