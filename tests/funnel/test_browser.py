"""The visitor's quiz in real Chromium, taken the way a person takes it.

The tests click visible labels and read visible text, then check what the
visit left behind in the database.
"""

from collections import Counter
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from quizfunnel.funnel.models import Answer, Visit
from quizfunnel.tracking.models import Event
from tests.conftest import AXE_JS
from tests.funnel.conftest import CONSENT_TEXT, DESKTOP_UA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "sam@example.com"
NAME = "Sam Rivera"
HOLDING_BACK = "Time, mostly.\nAnd budget."

# What the long path through the demo quiz records, whichever way it is taken.
LONG_PATH_RECORD = {
    "answers": {
        "What is your main goal this year?": (["More leads"], "", None, False),
        "Which channels do you use?": (["Email", "Social media"], "", None, False),
        "Do you run paid ads today?": (["Yes"], "", None, False),
        "How well do you know your numbers?": ([], "", Decimal(4), False),
        "How many people work on marketing?": ([], "", Decimal(3), False),
        "Which tool do you use for email?": ([], "", None, True),
        "What is holding you back?": ([], HOLDING_BACK, None, False),
    },
    "events": {
        "quiz_viewed": 1,
        "quiz_started": 1,
        "question_shown": 7,
        "question_answered": 6,
        "question_skipped": 1,
        "lead_form_shown": 1,
        "lead_submitted": 1,
        "result_shown": 1,
    },
    "lead": (EMAIL, NAME, True, CONSENT_TEXT, "Ready to grow"),
}


# Reading the page


def heading(page):
    return page.locator("#step-heading")


def settled(page):
    """Wait for the step's fade-in to end; return the page."""
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
    return page


def expect_step(page, live_server, text, path):
    expect(heading(page)).to_have_text(text)
    expect(page).to_have_url(live_server.url + path)


def step_path(quiz, prompt=None):
    if prompt is None:
        return quiz.get_absolute_url()
    return f"{quiz.get_absolute_url()}{quiz.questions.get(prompt=prompt).pk}/"


def next_button(page):
    return page.get_by_role("button", name="Next")


# Taking the quiz


def pick(page, label, *, javascript=True):
    """Pick a single choice: with JavaScript a click answers it at once."""
    page.get_by_text(label, exact=True).click()
    if not javascript:
        next_button(page).click()


def take_long_path(page, live_server, quiz, *, javascript=True, after_step=None):
    """Answer every question of the demo quiz and leave a lead.

    after_step runs once each new step is on screen.
    """
    after_step = after_step or (lambda: None)
    page.get_by_role("button", name="Start the check").click()
    expect_step(
        page,
        live_server,
        "What is your main goal this year?",
        step_path(quiz, "What is your main goal this year?"),
    )
    expect(page.get_by_text("Step 1 of 8", exact=True)).to_be_visible()
    after_step()
    pick(page, "More leads", javascript=javascript)

    expect_step(
        page,
        live_server,
        "Which channels do you use?",
        step_path(quiz, "Which channels do you use?"),
    )
    after_step()
    page.get_by_text("Email", exact=True).click()
    page.get_by_text("Social media").click()
    next_button(page).click()

    expect_step(
        page,
        live_server,
        "Do you run paid ads today?",
        step_path(quiz, "Do you run paid ads today?"),
    )
    after_step()
    pick(page, "Yes", javascript=javascript)

    expect_step(
        page,
        live_server,
        "How well do you know your numbers?",
        step_path(quiz, "How well do you know your numbers?"),
    )
    after_step()
    pick(page, "4", javascript=javascript)

    expect_step(
        page,
        live_server,
        "How many people work on marketing?",
        step_path(quiz, "How many people work on marketing?"),
    )
    after_step()
    page.get_by_label("Your answer").fill("3")
    next_button(page).click()

    expect_step(
        page,
        live_server,
        "Which tool do you use for email?",
        step_path(quiz, "Which tool do you use for email?"),
    )
    after_step()
    page.get_by_role("button", name="Skip").click()

    expect_step(
        page,
        live_server,
        "What is holding you back?",
        step_path(quiz, "What is holding you back?"),
    )
    after_step()
    page.get_by_label("Your answer").fill(HOLDING_BACK)
    next_button(page).click()

    expect_step(
        page,
        live_server,
        "Where should we send your plan?",
        f"{quiz.get_absolute_url()}lead/",
    )
    after_step()
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.get_by_role("textbox", name="Name").fill(NAME)
    page.get_by_text(CONSENT_TEXT).click()
    page.get_by_role("button", name="Send my plan").click()

    expect_step(
        page, live_server, "Your plan is on its way", f"{quiz.get_absolute_url()}done/"
    )
    expect(page.get_by_text("Ready to grow")).to_be_visible()
    after_step()


def recorded(quiz):
    """Summarise what the quiz's only visit left in the database."""
    visit = Visit.objects.get(quiz=quiz)
    answers = {
        answer.question.prompt: (
            sorted(choice.label for choice in answer.choices.all()),
            answer.text,
            answer.number,
            answer.skipped,
        )
        for answer in Answer.objects.filter(visit=visit).select_related("question")
    }
    events = Counter(visit.events.values_list("kind", flat=True))
    lead = visit.lead
    return {
        "answers": answers,
        "events": dict(events),
        "lead": (
            lead.email,
            lead.name,
            lead.consent_given,
            lead.consent_text,
            lead.outcome.title if lead.outcome else None,
        ),
    }


# The whole quiz


def test_demo_quiz_end_to_end_swaps_steps_in_place(live_server, demo_quiz, person):
    navigations = []
    person.on(
        "request",
        lambda request: request.is_navigation_request() and navigations.append(request),
    )
    person.goto(live_server.url + demo_quiz.get_absolute_url())
    expect(heading(person)).to_have_text("How healthy is your marketing?")
    person.evaluate("window.__marker = 1")

    def still_the_same_page_with_focus_on_the_heading():
        assert person.evaluate("window.__marker") == 1
        expect(heading(person)).to_be_focused()

    take_long_path(
        person,
        live_server,
        demo_quiz,
        after_step=still_the_same_page_with_focus_on_the_heading,
    )

    assert [request.url for request in navigations] == [
        live_server.url + demo_quiz.get_absolute_url()
    ]
    assert recorded(demo_quiz) == LONG_PATH_RECORD
    visit = Visit.objects.get(quiz=demo_quiz)
    assert (visit.is_bot, visit.is_preview, visit.device) == (False, False, "desktop")
    assert visit.started_at is not None and visit.completed_at is not None


def test_demo_quiz_without_javascript_posts_forms_and_redirects(
    live_server, demo_quiz, person_without_js
):
    page = person_without_js
    navigations = []
    page.on(
        "response",
        lambda response: (
            response.request.is_navigation_request()
            and navigations.append((response.request.method, response.status))
        ),
    )
    page.goto(live_server.url + demo_quiz.get_absolute_url())

    take_long_path(page, live_server, demo_quiz, javascript=False)

    # One GET for the intro, then a POST answered by a redirect and a GET of
    # the next full page for each of the nine submitted steps.
    assert navigations == [("GET", 200)] + [("POST", 302), ("GET", 200)] * 9
    assert recorded(demo_quiz) == LONG_PATH_RECORD


# Going back and reloading


def test_back_button_and_reload_land_on_the_step_with_its_answer(
    live_server, demo_quiz, person
):
    goal = "What is your main goal this year?"
    channels = "Which channels do you use?"
    person.goto(live_server.url + demo_quiz.get_absolute_url())
    person.get_by_role("button", name="Start the check").click()
    pick(person, "More sales")
    person.get_by_text("Search", exact=True).click()
    next_button(person).click()
    expect(heading(person)).to_have_text("Do you run paid ads today?")

    person.go_back()
    expect_step(person, live_server, channels, step_path(demo_quiz, channels))
    expect(heading(person)).to_be_focused()
    expect(person.get_by_label("Search")).to_be_checked()
    expect(person.get_by_label("Email")).not_to_be_checked()
    person.reload()
    expect_step(person, live_server, channels, step_path(demo_quiz, channels))
    expect(person.get_by_label("Search")).to_be_checked()
    person.get_by_role("link", name="Back").click()
    expect_step(person, live_server, goal, step_path(demo_quiz, goal))
    expect(heading(person)).to_be_focused()
    expect(person.get_by_label("More sales")).to_be_checked()
    pick(person, "Just looking around")

    team = "How many people work on marketing?"
    expect_step(person, live_server, team, step_path(demo_quiz, team))
    first = demo_quiz.questions.get(prompt=goal)
    answer = Answer.objects.get(question=first)
    assert [choice.label for choice in answer.choices.all()] == ["Just looking around"]
    answered = Event.objects.filter(kind="question_answered", question=first)
    assert answered.count() == 1


# Double clicks


def test_double_clicks_record_one_answer_and_one_event(live_server, demo_quiz, person):
    person.goto(live_server.url + demo_quiz.get_absolute_url())
    person.get_by_role("button", name="Start the check").click()

    person.get_by_text("More leads").dblclick()
    expect(heading(person)).to_have_text("Which channels do you use?")
    person.get_by_text("Ads", exact=True).click()
    next_button(person).dblclick()
    expect(heading(person)).to_have_text("Do you run paid ads today?")
    expect(heading(person)).to_be_focused()

    questions = demo_quiz.questions.filter(position__in=(10, 20))
    assert Answer.objects.filter(question__in=questions).count() == 2
    answered = Event.objects.filter(kind="question_answered", question__in=questions)
    assert sorted(answered.values_list("question__position", flat=True)) == [10, 20]
    shown = Event.objects.filter(kind="question_shown")
    assert shown.count() == 3


# The lead form


def reach_lead_form(page, live_server, quiz):
    """Take the short branch to the lead form: three answers, one skip."""
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_role("button", name="Start the check").click()
    pick(page, "Just looking around")
    expect(heading(page)).to_have_text("How many people work on marketing?")
    page.get_by_label("Your answer").fill("12")
    next_button(page).click()
    expect(heading(page)).to_have_text("Which tool do you use for email?")
    page.get_by_label("Your answer").fill("Sendmail")
    next_button(page).click()
    expect(heading(page)).to_have_text("What is holding you back?")
    page.get_by_role("button", name="Skip").click()
    expect(heading(page)).to_have_text("Where should we send your plan?")


def test_invalid_lead_form_keeps_what_was_typed_and_says_why(
    live_server, demo_quiz, person
):
    reach_lead_form(person, live_server, demo_quiz)

    # The browser accepts an address without a dot in its domain; the
    # server does not.
    person.get_by_role("textbox", name="Email").fill("sam@example")
    person.get_by_role("textbox", name="Name").fill(NAME)
    person.get_by_label(CONSENT_TEXT).check()
    person.get_by_role("button", name="Send my plan").click()

    expect(person.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(person.get_by_role("alert")).to_contain_text("Please check the fields")
    expect(person.get_by_role("textbox", name="Email")).to_have_value("sam@example")
    expect(person.get_by_role("textbox", name="Name")).to_have_value(NAME)
    expect(person.get_by_label(CONSENT_TEXT)).to_be_checked()
    assert not Visit.objects.get(quiz=demo_quiz).completed_at


# Keyboard only


def test_keys_alone_answer_questions(live_server, demo_quiz, person):
    person.goto(live_server.url + demo_quiz.get_absolute_url())

    person.keyboard.press("Tab")
    expect(person.get_by_role("button", name="Start the check")).to_be_focused()
    person.keyboard.press("Enter")
    expect(heading(person)).to_have_text("What is your main goal this year?")
    expect(heading(person)).to_be_focused()
    person.keyboard.press("Tab")
    person.keyboard.press("ArrowDown")
    # Choosing with the arrow keys must not answer by surprise.
    expect(person.get_by_label("More sales")).to_be_checked()
    expect(heading(person)).to_have_text("What is your main goal this year?")
    person.keyboard.press("Tab")
    expect(next_button(person)).to_be_focused()
    person.keyboard.press("Enter")
    expect(heading(person)).to_have_text("Which channels do you use?")
    expect(heading(person)).to_be_focused()
    person.keyboard.press("Tab")
    person.keyboard.press("Space")
    person.keyboard.press("Tab")
    person.keyboard.press("Tab")
    person.keyboard.press("Space")
    expect(person.get_by_label("Email")).to_be_checked()
    expect(person.get_by_label("Search")).to_be_checked()
    person.keyboard.press("Enter")

    expect(heading(person)).to_have_text("Do you run paid ads today?")
    answers = Answer.objects.filter(visit__quiz=demo_quiz).order_by(
        "question__position"
    )
    assert [sorted(c.label for c in a.choices.all()) for a in answers] == [
        ["More sales"],
        ["Email", "Search"],
    ]


# Accessibility


def serious_axe_violations(page):
    """Run axe-core on the page; return its serious and critical findings."""
    # Colours are only final once the step has faded in.
    settled(page).add_script_tag(path=AXE_JS)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_axe_finds_nothing_serious_on_any_step(browser, live_server, demo_quiz):
    # axe arrives as an inline script, which the page's CSP would refuse.
    context = browser.new_context(user_agent=DESKTOP_UA, bypass_csp=True)
    page = context.new_page()
    found = {}

    page.goto(live_server.url + demo_quiz.get_absolute_url())
    found["intro"] = serious_axe_violations(page)
    page.get_by_role("button", name="Start the check").click()
    expect(heading(page)).to_have_text("What is your main goal this year?")
    found["question"] = serious_axe_violations(page)
    pick(page, "Just looking around")
    expect(heading(page)).to_have_text("How many people work on marketing?")
    found["number"] = serious_axe_violations(page)
    page.get_by_label("Your answer").fill("2")
    next_button(page).click()
    page.get_by_role("button", name="Skip").click()
    expect(heading(page)).to_have_text("What is holding you back?")
    page.get_by_role("button", name="Skip").click()
    expect(heading(page)).to_have_text("Where should we send your plan?")
    found["lead form"] = serious_axe_violations(page)
    page.get_by_role("textbox", name="Email").fill("sam@example")
    page.get_by_label(CONSENT_TEXT).check()
    page.get_by_role("button", name="Send my plan").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    found["lead form with errors"] = serious_axe_violations(page)
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.get_by_role("button", name="Send my plan").click()
    expect(heading(page)).to_have_text("Your plan is on its way")
    found["result"] = serious_axe_violations(page)
    # A light accent takes dark text on its buttons.
    demo_quiz.accent_colour = "#facc15"
    demo_quiz.save()
    context.clear_cookies()
    page.goto(live_server.url + demo_quiz.get_absolute_url())
    found["intro in yellow"] = serious_axe_violations(page)
    context.close()

    assert found == {name: [] for name in found}


# Phones, bots and looks


def fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    return width <= page.viewport_size["width"]


def shortest_tap_target(page):
    return page.evaluate(
        """Math.min(...[...document.querySelectorAll(
            '#step button, #step .button, #step .choice, #step .scale__point span'
        )].map(e => e.getBoundingClientRect().height))"""
    )


def test_phone_visit_counts_as_mobile_and_fits_the_screen(
    live_server, demo_quiz, phone
):
    phone.goto(live_server.url + demo_quiz.get_absolute_url())
    assert fits_the_screen(phone)
    phone.get_by_role("button", name="Start the check").tap()
    expect(heading(phone)).to_have_text("What is your main goal this year?")
    assert fits_the_screen(phone)
    assert shortest_tap_target(phone) >= 44
    phone.get_by_text("More sales").tap()
    expect(heading(phone)).to_have_text("Which channels do you use?")
    phone.get_by_text("Search", exact=True).tap()
    next_button(phone).tap()
    expect(heading(phone)).to_have_text("Do you run paid ads today?")
    phone.get_by_text("No", exact=True).tap()
    expect(heading(phone)).to_have_text("How well do you know your numbers?")
    assert fits_the_screen(phone)
    assert shortest_tap_target(phone) >= 44

    visit = Visit.objects.get(quiz=demo_quiz)
    assert (visit.device, visit.is_bot) == ("mobile", False)
    assert Answer.objects.filter(visit=visit).count() == 3


def test_headless_browser_visit_is_flagged_as_a_bot(live_server, demo_quiz, page):
    page.goto(live_server.url + demo_quiz.get_absolute_url())

    assert "HeadlessChrome" in page.evaluate("navigator.userAgent")
    assert Visit.objects.get(quiz=demo_quiz).is_bot


def rgb(locator, prop):
    """Return a computed colour as (r, g, b), whatever space CSS gave it in."""
    return tuple(
        locator.evaluate(
            """(element, prop) => {
                const pen = document.createElement("canvas").getContext("2d");
                pen.fillStyle = getComputedStyle(element)[prop];
                pen.fillRect(0, 0, 1, 1);
                return [...pen.getImageData(0, 0, 1, 1).data.slice(0, 3)];
            }""",
            prop,
        )
    )


def card_position(page):
    box = settled(page).locator("#step").bounding_box()
    return (box["x"], box["y"], box["width"])


def test_steps_keep_their_place_and_wear_the_accent_colour(
    live_server, demo_quiz, person
):
    person.goto(live_server.url + demo_quiz.get_absolute_url())
    start = person.get_by_role("button", name="Start the check")
    assert rgb(start, "backgroundColor") == (15, 118, 110)
    assert rgb(start, "color") == (255, 255, 255)
    intro_card = card_position(person)
    start.click()
    expect(heading(person)).to_have_text("What is your main goal this year?")
    first_heading = heading(settled(person)).bounding_box()["y"]
    first_card = card_position(person)
    person.keyboard.press("Tab")
    focused_choice = person.locator(".choice").first
    expect(focused_choice).not_to_have_css("outline-style", "none")
    pick(person, "More leads")
    expect(heading(person)).to_have_text("Which channels do you use?")

    assert card_position(person) == first_card == intro_card
    assert heading(settled(person)).bounding_box()["y"] == first_heading


def test_steps_fade_in_briefly_unless_motion_is_reduced(
    browser, live_server, demo_quiz, person
):
    still = browser.new_context(user_agent=DESKTOP_UA, reduced_motion="reduce")
    calm = still.new_page()

    person.goto(live_server.url + demo_quiz.get_absolute_url())
    calm.goto(live_server.url + demo_quiz.get_absolute_url())

    step = person.locator("#step")
    seconds = float(step.evaluate("e => getComputedStyle(e).animationDuration")[:-1])
    assert step.evaluate("e => getComputedStyle(e).animationName") != "none"
    assert 0 < seconds <= 0.25
    expect(calm.locator("#step")).to_have_css("animation-name", "none")
    expect(calm.locator(".button").first).to_have_css("transition-duration", "0s")
    still.close()
