"""The tutorial's graphene schema."""
import graphene

from polls.data import QUESTIONS


class Query(graphene.ObjectType):
    hello = graphene.String(name=graphene.String(default_value="world"))
    latest_question = graphene.String()
    question_count = graphene.Int()

    def resolve_hello(root, info, name):
        return "Hello, %s!" % name

    def resolve_latest_question(root, info):
        return QUESTIONS[max(QUESTIONS)]["text"]

    def resolve_question_count(root, info):
        return len(QUESTIONS)


schema = graphene.Schema(query=Query)
