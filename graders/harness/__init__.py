"""Child-side code: runs *inside* the sandboxed process, next to the learner's code.

``python -I -m graders.harness`` reads a key and a payload on stdin, opens the authenticated result
channel, puts the learner's working copy on ``sys.path`` and calls the payload's entry point
(``module:function``) with ``(args, channel)``. Everything here imports only the standard
library: it must start fast and must not drag the tracker into the learner's process.
"""

from graders.harness.channel import Channel, LearnerExit, learner_traceback

__all__ = ["Channel", "LearnerExit", "learner_traceback"]
