"""The shop's graphene schema, composed from the apps' Query/Mutation mixins."""
import graphene

import shop.catalog.schema
import shop.orders.schema
from shop.accounts import schema as accounts_schema


class Query(shop.catalog.schema.Query, shop.orders.schema.Query, graphene.ObjectType):
    ping = graphene.String()

    def resolve_ping(root, info):
        return "pong"


class Mutation(shop.orders.schema.Mutation, accounts_schema.Mutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
