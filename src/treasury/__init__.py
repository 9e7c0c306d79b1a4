"""Treasury Big Data: a national treasury's financial data turned into decisions."""

__version__ = "0.1.0"
