"""The staff directory's MongoDB calls, in a module named repository.py as every service keeps them."""
