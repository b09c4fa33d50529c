"""What the tests and the benchmarks share: runs recorded through the tracking API
(:mod:`.tracking`), small notebooks and kernel helpers (:mod:`.runner`), a real JupyterLab and
Chromium (:mod:`.browser`), a throwaway PostgreSQL server (:mod:`.postgres`), the REST and
controls helpers (:mod:`.server`, :mod:`.controls`) and a killable writer (:mod:`.writer`).

It is a package of the repository's ``tests`` package, not of the installed wheel: the tests
import it as ``tests.support.NAME`` (pytest puts the repository root on ``sys.path``), and the
benchmarks, run from the repository root as ``python -m benchmarks.NAME``, do the same.
"""
