import graphene


class CreateOrder(graphene.Mutation):
    ok = graphene.Boolean()

    def mutate(self, info):
        return CreateOrder(ok=True)


class Query:
    all_products = graphene.List(graphene.String)
    product__by_id = graphene.String()

    def resolve_all_products(self, info):
        return []
