"""The quiz builder in the Django admin."""

from quizfunnel.quizzes.admin.question import QuestionAdmin
from quizfunnel.quizzes.admin.quiz import QuizAdmin

__all__ = ["QuestionAdmin", "QuizAdmin"]
