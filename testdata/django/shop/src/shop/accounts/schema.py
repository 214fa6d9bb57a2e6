import graphene


class RegisterUser(graphene.Mutation):
    class Arguments:
        email = graphene.String(required=True)

    ok = graphene.Boolean()
    user_id = graphene.ID()

    def mutate(root, info, email):
        return RegisterUser(ok=True, user_id="42")


class Mutation(graphene.ObjectType):
    register_user = RegisterUser.Field()
