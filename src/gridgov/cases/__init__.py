"""Cases (网格事项): the closed loop from report to archive.

The pure rules live in :mod:`.workflow` (who may do what in which state), :mod:`.deadlines` (the
clocks) and :mod:`.file` (the hash-chained electronic file). They do no I/O, so the service, the API,
the pages and the jobs all ask the same rules and the rules are tested on their own.
"""
