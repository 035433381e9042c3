"""Customer meeting booking for a bank."""

__version__ = "0.1.0"
