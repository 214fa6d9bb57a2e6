import graphene

from shop.catalog import schema as catalog_schema


class Query(catalog_schema.Query, graphene.ObjectType):
    hello_world = graphene.String(name="hi")
    me = graphene.Field(graphene.String)


class Mutation(graphene.ObjectType):
    create_order = catalog_schema.CreateOrder.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
