"""The faults campaign: every service and the broker SIGKILLed under load, then nothing lost or twice.

``make chaos`` runs the long form (``python -m tests.chaos``); ``test_faults.py`` is the short
form that ``make test`` collects. See docs/reliability.md, section "Faults".
"""
