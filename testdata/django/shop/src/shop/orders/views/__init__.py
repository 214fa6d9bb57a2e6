"""Order views, split by topic and re-exported here."""
from .cart import checkout
from .history import OrderDetailView, order_history

__all__ = ["checkout", "order_history", "OrderDetailView"]
