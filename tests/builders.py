"""Small builders for composite setups shared by several test modules."""

from dataclasses import dataclass

from quizfunnel.quizzes.models import Question, Quiz
from tests.factories import (
    ChoiceFactory,
    GoalFactory,
    OutcomeFactory,
    PublishedQuizFactory,
    QuestionFactory,
)


@dataclass
class BranchingQuiz:
    """A published, scored quiz of five questions with one branch.

    q1 single choice: "Solo" branches to q3 (skipping q2), "Team" goes on.
    q2 multiple choice, 1 to 2 picks. q3 number 1..100, optional.
    q4 short text up to 20 characters. q5 rating 1..5.
    """

    quiz: Quiz
    q1: Question
    q2: Question
    q3: Question
    q4: Question
    q5: Question

    @property
    def questions(self):
        return [self.q1, self.q2, self.q3, self.q4, self.q5]

    def choice(self, question, label):
        return question.choices.get(label=label)


def build_branching_quiz(**quiz_fields) -> BranchingQuiz:
    fields = {
        "scoring": Quiz.Scoring.SCORE,
        "consent_text": "I agree to be contacted about my plan.",
        "consent_required": True,
        **quiz_fields,
    }
    quiz = PublishedQuizFactory(**fields)
    q1 = QuestionFactory(quiz=quiz, position=1, prompt="How do you work?")
    q2 = QuestionFactory(
        quiz=quiz,
        position=2,
        kind=Question.Kind.MULTIPLE,
        prompt="Which tools do you use?",
        min_selections=1,
        max_selections=2,
    )
    q3 = QuestionFactory(
        quiz=quiz,
        position=3,
        kind=Question.Kind.NUMBER,
        prompt="How many projects a year?",
        required=False,
        min_value=1,
        max_value=100,
    )
    q4 = QuestionFactory(
        quiz=quiz,
        position=4,
        kind=Question.Kind.SHORT_TEXT,
        prompt="Your role?",
        max_length=20,
    )
    q5 = QuestionFactory(
        quiz=quiz,
        position=5,
        kind=Question.Kind.RATING,
        prompt="How urgent?",
        scale_max=5,
    )
    ChoiceFactory(question=q1, position=0, label="Solo", score=1, branch_question=q3)
    ChoiceFactory(question=q1, position=1, label="Team", score=5)
    for position, label in enumerate(["Mail", "Chat", "Boards"]):
        ChoiceFactory(question=q2, position=position, label=label, score=position)
    OutcomeFactory(quiz=quiz, title="Starter", min_score=None, max_score=3, position=0)
    OutcomeFactory(quiz=quiz, title="Pro", min_score=4, max_score=None, position=1)
    GoalFactory(quiz=quiz, name="watched_demo", label="Watched the demo")
    return BranchingQuiz(quiz, q1, q2, q3, q4, q5)
