import factory
from django.contrib.auth import get_user_model

from quizfunnel.funnel.models import Answer, Visit
from quizfunnel.leads.models import Lead
from quizfunnel.quizzes.models import Choice, Goal, LeadField, Outcome, Question, Quiz


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    intro_heading = "Find your plan"
    status = Quiz.Status.DRAFT


class PublishedQuizFactory(QuizFactory):
    status = Quiz.Status.PUBLISHED
    revision = 1


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    position = factory.Sequence(lambda n: n * 10)
    kind = Question.Kind.SINGLE
    prompt = factory.Sequence(lambda n: f"Question {n}?")


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    quiz = factory.SubFactory(QuizFactory)
    title = factory.Sequence(lambda n: f"Outcome {n}")


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Choice {n}")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    quiz = factory.SubFactory(QuizFactory)
    name = factory.Sequence(lambda n: f"goal_{n}")
    label = factory.Sequence(lambda n: f"Goal {n}")


class LeadFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadField

    quiz = factory.SubFactory(QuizFactory)
    key = factory.Sequence(lambda n: f"field-{n}")
    label = factory.Sequence(lambda n: f"Field {n}")


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    quiz = factory.SubFactory(PublishedQuizFactory)
    revision = factory.SelfAttribute("quiz.revision")


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    visit = factory.SubFactory(VisitFactory)
    question = factory.SubFactory(
        QuestionFactory, quiz=factory.SelfAttribute("..visit.quiz")
    )


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    visit = factory.SubFactory(VisitFactory)
    quiz = factory.SelfAttribute("visit.quiz")
    email = factory.Sequence(lambda n: f"person{n}@example.com")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a-long-test-password")


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


def choice_question(quiz, *labels, **fields):
    """Build a choice question of quiz with one choice per label."""
    question = QuestionFactory(quiz=quiz, **fields)
    for position, label in enumerate(labels or ("Yes", "No")):
        ChoiceFactory(question=question, position=position, label=label)
    return question
