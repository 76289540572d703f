"""The corpus-level passes' default thresholds, where the options read them without importing the
passes (numpy and pyarrow): the command line then starts the workers' parent before those imports."""

#: near duplicates: the verified similarity of word 5-grams at which two texts are one
DEFAULT_THRESHOLD = 0.8
#: LSH makes candidates of pairs down to this estimated Jaccard similarity of word 5-grams (an
#: edited copy of a real article falls to 0.57: docs/dedup.md); the decision is verified after
DEFAULT_CANDIDATE_THRESHOLD = 0.5
#: repeated lines: a line is boilerplate when at least this many documents hold it ...
MIN_DOCS = 10
#: ... and at least this fraction of the documents
MIN_FRACTION = 0.001
