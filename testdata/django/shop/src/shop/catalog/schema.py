import graphene

from .data import PRODUCTS, by_id


class ProductType(graphene.ObjectType):
    id = graphene.Int()
    sku = graphene.String()
    name = graphene.String()
    price = graphene.String()


class Query:
    all_products = graphene.List(ProductType)
    product = graphene.Field(ProductType, id=graphene.Int(required=True))

    def resolve_all_products(root, info):
        return [ProductType(**{k: p[k] for k in ("id", "sku", "name", "price")}) for p in PRODUCTS]

    def resolve_product(root, info, id):
        p = by_id(id)
        if p is None:
            return None
        return ProductType(**{k: p[k] for k in ("id", "sku", "name", "price")})
