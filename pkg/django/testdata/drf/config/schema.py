import graphene


class Query(graphene.ObjectType):
    server_time = graphene.String()
    _private_thing = graphene.Int()


schema = graphene.Schema(query=Query, auto_camelcase=True)
