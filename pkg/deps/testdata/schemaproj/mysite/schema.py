import graphene
from django.conf import settings


class Product(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String()
    price = graphene.Decimal()
    created = graphene.DateTime()


class Query(graphene.ObjectType):
    hello = graphene.String(name=graphene.String(default_value="world"))
    products = graphene.List(graphene.NonNull(Product))
    debug = graphene.Boolean()

    def resolve_debug(self, info):
        return settings.DEBUG


class AddProduct(graphene.Mutation):
    class Arguments:
        name = graphene.String(required=True)

    product = graphene.Field(Product)

    def mutate(self, info, name):
        return AddProduct(product=Product(id="1", name=name))


class Mutation(graphene.ObjectType):
    add_product = AddProduct.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
