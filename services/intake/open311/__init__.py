"""Open311 GeoReport v2 on intake (``/open311/v2/``): fault-report apps and map services post into the
same flow as e-mail and phone (docs/open311.md).

Where things live: ``formats.py`` (JSON or XML answers, the spec's errors), ``catalogue.py``
(``services`` and service definitions from the directory), ``submit.py`` (``POST requests``: a
contact on ``contacts.received``), ``reads.py`` (``GET requests``, ``tokens``), ``readmodel.py``
(the requests as the case events tell them), ``keys.py`` (client applications' API keys),
``repository.py`` (every MongoDB call).
"""
