"""The catalog's fixed product list (no database needed)."""
PRODUCTS = [
    {"id": 1, "sku": "mug-01", "name": "Mug", "category": "kitchen", "price": "8.50"},
    {"id": 2, "sku": "tee-02", "name": "T-shirt", "category": "clothes", "price": "19.00"},
    {"id": 3, "sku": "cap-03", "name": "Cap", "category": "clothes", "price": "12.00"},
]


def by_sku(sku):
    for p in PRODUCTS:
        if p["sku"] == sku:
            return p
    return None


def by_id(pk):
    for p in PRODUCTS:
        if p["id"] == pk:
            return p
    return None
