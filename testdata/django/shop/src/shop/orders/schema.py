import graphene


class OrderType(graphene.ObjectType):
    id = graphene.ID()
    status = graphene.String()


class Query:
    my_orders = graphene.List(OrderType)

    def resolve_my_orders(root, info):
        return [OrderType(id="1", status="placed")]


class CreateOrder(graphene.Mutation):
    class Arguments:
        sku = graphene.String(required=True)
        quantity = graphene.Int(default_value=1)

    order = graphene.Field(OrderType)

    def mutate(root, info, sku, quantity):
        return CreateOrder(order=OrderType(id="2", status="placed"))


class CancelOrder(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)

    ok = graphene.Boolean()

    def mutate(root, info, id):
        return CancelOrder(ok=True)


class Mutation:
    create_order = CreateOrder.Field()
    cancel_order = CancelOrder.Field()
