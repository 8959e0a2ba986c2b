"""The learner's weekly review: the week's digest from the ledger (:mod:`.history`) and its comment on the
pinned "Weekly review" issue (:mod:`.post`). The digest itself is :mod:`tracker.digest` (pure)."""
