import os
import sys

# Test the package in this tree, whether or not it is pip-installed.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
