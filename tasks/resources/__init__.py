"""Data files of the tasks stage: boilerplate rules, gazetteer, target lexicon."""
