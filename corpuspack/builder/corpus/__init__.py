"""Pass 2 and 3, corpus level: exact and near duplicates, repeated lines, splits, and the
finishing pass that applies them, over Arrow columns of the staging table.
"""
