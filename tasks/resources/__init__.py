"""Data files of the tasks stage, all topic-independent: boilerplate rules, speech verbs and acts,
speaker words (titles, pronouns, generic description heads), abbreviations and stance cues. Targets
and known actors come from the project file (``[[targets]]`` and ``[[actors]]`` in
``stancebank.toml``), never from the package."""
