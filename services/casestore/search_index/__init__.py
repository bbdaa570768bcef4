"""The MongoDB side of case search (services/casestore/search.py and search_results.py)."""
