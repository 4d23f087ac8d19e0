"""The demo quiz in real Chromium, taken the way a person takes it.

The tests click visible labels and read visible text, then check what the
visit left behind in the database.
"""

import time
from collections import Counter
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from quizfunnel.funnel.models import Answer, Visit
from quizfunnel.tracking.models import Event
from tests.conftest import AXE_JS
from tests.funnel.conftest import DESKTOP_UA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The demo quiz's questions, in order.
TEAM = "How big is the team that will use it?"
NEEDS = "Which of these matter most to you?"
TOOL = "Do you already use a quiz or form tool?"
URGENCY = "How urgent is this for you?"
LEADS = "About how many leads do you get a month?"
WEBSITE = "What is your website?"
ANYTHING = "Anything else we should know?"
QUESTIONS = (TEAM, NEEDS, TOOL, URGENCY, LEADS, WEBSITE, ANYTHING)
LEAD_FORM = "Where should we send your plan?"

EMAIL = "sam@example.com"
NAME = "Sam Rivera"
ROLE = "Marketing lead"
ANYTHING_TEXT = "We run three brands.\nEach needs its own quiz."


def long_path_record(quiz):
    """What the long path records, whichever way the quiz is taken."""
    return {
        "answers": {
            TEAM: (["2 to 10 people"], "", None, False),
            NEEDS: (["Priority support", "Shared dashboards"], "", None, False),
            TOOL: (["Yes"], "", None, False),
            URGENCY: ([], "", Decimal(4), False),
            LEADS: ([], "", Decimal(250), False),
            WEBSITE: ([], "", None, True),
            ANYTHING: ([], ANYTHING_TEXT, None, False),
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
        # Scores 2 + 2 + 2 + 1 = 7 fall in Growth's range.
        "lead": (EMAIL, NAME, {"role": ROLE}, True, quiz.consent_text, "Growth"),
    }


# Reading the page


def heading(page):
    return page.locator("#step-heading")


def settled(page):
    """Wait for the step's fade-in to end; return the page."""
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
    return page


def step_path(quiz, prompt):
    """Return the address of the step headed prompt."""
    if prompt == LEAD_FORM:
        return f"{quiz.get_absolute_url()}lead/"
    return f"{quiz.get_absolute_url()}{quiz.questions.get(prompt=prompt).pk}/"


def expect_step(page, live_server, quiz, prompt):
    """Expect the step headed prompt, at its own address."""
    expect(heading(page)).to_have_text(prompt)
    expect(page).to_have_url(live_server.url + step_path(quiz, prompt))


def next_button(page):
    return page.get_by_role("button", name="Next")


def skip_button(page):
    return page.get_by_role("button", name="Skip")


# Taking the quiz


def start(page, live_server, quiz):
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_role("button", name="Find my plan").click()
    expect(heading(page)).to_have_text(TEAM)


def pick(page, label, *, javascript=True):
    """Pick a single choice: with JavaScript a click answers it at once."""
    page.get_by_text(label, exact=True).click()
    if not javascript:
        next_button(page).click()


def take_long_path(page, live_server, quiz, *, javascript=True, after_step=None):
    """From the intro, answer every question and leave a lead.

    after_step runs once each new step is on screen.
    """
    after_step = after_step or (lambda: None)
    page.get_by_role("button", name="Find my plan").click()
    expect_step(page, live_server, quiz, TEAM)
    expect(page.get_by_text("Step 1 of 8", exact=True)).to_be_visible()
    after_step()
    pick(page, "2 to 10 people", javascript=javascript)

    expect_step(page, live_server, quiz, NEEDS)
    after_step()
    page.get_by_text("Shared dashboards").click()
    page.get_by_text("Priority support").click()
    next_button(page).click()

    expect_step(page, live_server, quiz, TOOL)
    after_step()
    pick(page, "Yes", javascript=javascript)

    expect_step(page, live_server, quiz, URGENCY)
    after_step()
    pick(page, "4", javascript=javascript)

    expect_step(page, live_server, quiz, LEADS)
    after_step()
    page.get_by_label("Your answer").fill("250")
    next_button(page).click()

    expect_step(page, live_server, quiz, WEBSITE)
    after_step()
    skip_button(page).click()

    expect_step(page, live_server, quiz, ANYTHING)
    after_step()
    page.get_by_label("Your answer").fill(ANYTHING_TEXT)
    next_button(page).click()

    expect_step(page, live_server, quiz, LEAD_FORM)
    after_step()
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.get_by_role("textbox", name="Name").fill(NAME)
    page.get_by_role("textbox", name="Your role").fill(ROLE)
    page.get_by_text(quiz.consent_text).click()
    page.get_by_role("button", name="Show my plan").click()

    expect(heading(page)).to_have_text("Thank you!")
    expect(page).to_have_url(f"{live_server.url}{quiz.get_absolute_url()}done/")
    expect(page.get_by_text("Growth", exact=True)).to_be_visible()
    expect(page.get_by_text("Your plan is on its way to your inbox.")).to_be_visible()
    after_step()


def take_short_path_to_lead_form(page, live_server, quiz):
    """Take the branch past the second question and skip what may be skipped."""
    start(page, live_server, quiz)
    pick(page, "Just me")
    expect(heading(page)).to_have_text(TOOL)
    pick(page, "No")
    expect(heading(page)).to_have_text(URGENCY)
    pick(page, "3")
    for prompt in (LEADS, WEBSITE, ANYTHING):
        expect(heading(page)).to_have_text(prompt)
        skip_button(page).click()
    expect(heading(page)).to_have_text(LEAD_FORM)


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
    lead = visit.lead
    return {
        "answers": answers,
        "events": dict(Counter(visit.events.values_list("kind", flat=True))),
        "lead": (
            lead.email,
            lead.name,
            lead.extra,
            lead.consent_given,
            lead.consent_text,
            lead.outcome.title if lead.outcome else None,
        ),
    }


def assert_long_path_recorded(quiz):
    # Part by part, so a failure names the part.
    found, expected = recorded(quiz), long_path_record(quiz)
    assert found["answers"] == expected["answers"]
    assert found["events"] == expected["events"]
    assert found["lead"] == expected["lead"]


# The whole quiz


def test_demo_quiz_end_to_end_swaps_steps_in_place(live_server, demo_quiz, person):
    navigations, pushed = [], []
    person.on(
        "request",
        lambda request: request.is_navigation_request() and navigations.append(request),
    )
    person.on(
        "response",
        lambda response: (
            response.request.resource_type == "xhr"
            and pushed.append(response.headers.get("hx-push-url"))
        ),
    )
    person.goto(live_server.url + demo_quiz.get_absolute_url())
    expect(heading(person)).to_have_text("Which plan fits your team?")
    person.evaluate("window.__marker = 1")

    def same_page_with_focus_on_the_new_heading():
        assert person.evaluate("window.__marker") == 1
        expect(heading(person)).to_be_focused()

    take_long_path(
        person,
        live_server,
        demo_quiz,
        after_step=same_page_with_focus_on_the_new_heading,
    )

    assert [request.url for request in navigations] == [
        live_server.url + demo_quiz.get_absolute_url()
    ]
    assert pushed == [
        *(step_path(demo_quiz, prompt) for prompt in QUESTIONS),
        step_path(demo_quiz, LEAD_FORM),
        f"{demo_quiz.get_absolute_url()}done/",
    ]
    assert_long_path_recorded(demo_quiz)
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

    # The intro, then for each of the nine submitted steps a POST answered
    # by a redirect and a GET of the next step's full page.
    assert navigations == [("GET", 200)] + [("POST", 302), ("GET", 200)] * 9
    assert_long_path_recorded(demo_quiz)


# Going back and reloading


def test_back_button_and_reload_land_on_the_step_with_its_answer(
    live_server, demo_quiz, person
):
    start(person, live_server, demo_quiz)
    pick(person, "11 to 50")
    expect(heading(person)).to_have_text(NEEDS)
    person.get_by_text("CRM integrations").click()
    next_button(person).click()
    expect(heading(person)).to_have_text(TOOL)

    person.go_back()
    expect_step(person, live_server, demo_quiz, NEEDS)
    expect(heading(person)).to_be_focused()
    expect(person.get_by_label("CRM integrations")).to_be_checked()
    expect(person.get_by_label("Shared dashboards")).not_to_be_checked()
    person.reload()
    expect_step(person, live_server, demo_quiz, NEEDS)
    expect(person.get_by_label("CRM integrations")).to_be_checked()
    person.get_by_role("link", name="Back").click()
    expect_step(person, live_server, demo_quiz, TEAM)
    expect(heading(person)).to_be_focused()
    expect(person.get_by_label("11 to 50")).to_be_checked()
    pick(person, "Just me")

    # "Just me" branches past the question about needs.
    expect_step(person, live_server, demo_quiz, TOOL)
    team = demo_quiz.questions.get(prompt=TEAM)
    answer = Answer.objects.get(question=team)
    assert [choice.label for choice in answer.choices.all()] == ["Just me"]
    answered = Event.objects.filter(kind="question_answered", question=team)
    assert answered.count() == 1


def test_a_field_styled_by_an_extension_swaps_without_csp_errors(
    live_server, demo_quiz, person
):
    start(person, live_server, demo_quiz)
    pick(person, "Just me")
    pick(person, "No")
    pick(person, "3")
    expect(heading(person)).to_have_text(LEADS)

    # Password managers and writing aids style the fields they decorate.
    person.get_by_label("Your answer").evaluate(
        "field => { field.style.backgroundColor = 'rgb(250, 250, 250)'; }"
    )
    skip_button(person).click()

    # The person fixture fails the test if the swap broke the page's CSP.
    expect(heading(person)).to_have_text(WEBSITE)


# Double clicks


def test_double_clicks_record_one_answer_and_one_event(live_server, demo_quiz, person):
    start(person, live_server, demo_quiz)
    posts = []
    person.on(
        "request",
        lambda request: request.method == "POST" and posts.append(request.url),
    )

    person.get_by_text("2 to 10 people").dblclick()
    expect(heading(person)).to_have_text(NEEDS)
    person.get_by_text("Your own branding").click()
    next_button(person).dblclick()
    expect(heading(person)).to_have_text(TOOL)
    expect(heading(person)).to_be_focused()

    questions = demo_quiz.questions.filter(prompt__in=(TEAM, NEEDS))
    assert Answer.objects.filter(question__in=questions).count() == 2
    answered = Event.objects.filter(kind="question_answered")
    assert sorted(answered.values_list("question__prompt", flat=True)) == [
        TEAM,
        NEEDS,
    ]
    assert Event.objects.filter(kind="question_shown").count() == 3
    # htmx drops the second submission once its form has been swapped out.
    assert len(posts) == len(set(posts)) == 2


# The lead form


def test_lead_form_keeps_what_was_typed_on_error_and_back_after_it_shows_the_result(
    live_server, demo_quiz, person
):
    take_short_path_to_lead_form(person, live_server, demo_quiz)

    # The browser accepts an address without a dot in its domain; the
    # server does not.
    person.get_by_role("textbox", name="Email").fill("sam@example")
    person.get_by_role("textbox", name="Name").fill(NAME)
    person.get_by_label(demo_quiz.consent_text).check()
    person.get_by_role("button", name="Show my plan").click()

    expect(person.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(person.get_by_role("alert")).to_contain_text("Please check the fields")
    expect(person.get_by_role("textbox", name="Email")).to_have_value("sam@example")
    expect(person.get_by_role("textbox", name="Name")).to_have_value(NAME)
    expect(person.get_by_label(demo_quiz.consent_text)).to_be_checked()
    assert Visit.objects.get(quiz=demo_quiz).completed_at is None

    person.get_by_role("textbox", name="Email").fill(EMAIL)
    person.get_by_role("button", name="Show my plan").click()
    expect(heading(person)).to_have_text("Thank you!")
    person.go_back()

    expect(heading(person)).to_have_text("Thank you!")
    expect(person.get_by_text("Starter", exact=True)).to_be_visible()
    expect(person).to_have_url(f"{live_server.url}{demo_quiz.get_absolute_url()}done/")
    lead = Visit.objects.get(quiz=demo_quiz).lead
    assert (lead.email, lead.name, lead.consent_given) == (EMAIL, NAME, True)


# Keyboard only


def test_keys_alone_answer_questions(live_server, demo_quiz, person):
    person.goto(live_server.url + demo_quiz.get_absolute_url())

    person.keyboard.press("Tab")
    expect(person.get_by_role("button", name="Find my plan")).to_be_focused()
    person.keyboard.press("Enter")
    expect(heading(person)).to_have_text(TEAM)
    expect(heading(person)).to_be_focused()
    person.keyboard.press("Tab")
    person.keyboard.press("ArrowDown")
    expect(person.get_by_label("2 to 10 people")).to_be_checked()
    # Choosing with the arrow keys must not answer by surprise.
    expect(heading(person)).to_have_text(TEAM)
    person.keyboard.press("Tab")
    expect(next_button(person)).to_be_focused()
    person.keyboard.press("Enter")
    expect(heading(person)).to_have_text(NEEDS)
    expect(heading(person)).to_be_focused()
    person.keyboard.press("Tab")
    person.keyboard.press("Space")
    person.keyboard.press("Tab")
    person.keyboard.press("Tab")
    person.keyboard.press("Space")
    for _ in range(3):
        person.keyboard.press("Tab")
    expect(next_button(person)).to_be_focused()
    person.keyboard.press("Enter")

    expect(heading(person)).to_have_text(TOOL)
    answers = Answer.objects.order_by("question__position")
    assert [sorted(c.label for c in a.choices.all()) for a in answers] == [
        ["2 to 10 people"],
        ["Priority support", "Shared dashboards"],
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
    page.get_by_role("button", name="Find my plan").click()
    expect(heading(page)).to_have_text(TEAM)
    found["single choice"] = serious_axe_violations(page)
    pick(page, "Just me")
    pick(page, "No")
    expect(heading(page)).to_have_text(URGENCY)
    found["rating"] = serious_axe_violations(page)
    pick(page, "3")
    for prompt in (LEADS, WEBSITE, ANYTHING):
        expect(heading(page)).to_have_text(prompt)
        skip_button(page).click()
    expect(heading(page)).to_have_text(LEAD_FORM)
    found["lead form"] = serious_axe_violations(page)
    page.get_by_role("textbox", name="Email").fill("sam@example")
    page.get_by_label(demo_quiz.consent_text).check()
    page.get_by_role("button", name="Show my plan").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    found["lead form with errors"] = serious_axe_violations(page)
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.get_by_role("button", name="Show my plan").click()
    expect(heading(page)).to_have_text("Thank you!")
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
    phone.get_by_role("button", name="Find my plan").tap()
    expect(heading(phone)).to_have_text(TEAM)
    assert fits_the_screen(phone)
    assert shortest_tap_target(phone) >= 44
    phone.get_by_text("11 to 50").tap()
    expect(heading(phone)).to_have_text(NEEDS)
    phone.get_by_text("CRM integrations").tap()
    next_button(phone).tap()
    expect(heading(phone)).to_have_text(TOOL)
    phone.get_by_text("No", exact=True).tap()
    expect(heading(phone)).to_have_text(URGENCY)
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
    button = person.get_by_role("button", name="Find my plan")
    assert rgb(button, "backgroundColor") == (67, 56, 202)
    assert rgb(button, "color") == (255, 255, 255)
    intro_card = card_position(person)
    button.click()
    expect(heading(person)).to_have_text(TEAM)
    first_heading = heading(settled(person)).bounding_box()["y"]
    first_card = card_position(person)
    person.keyboard.press("Tab")
    expect(person.locator(".choice").first).not_to_have_css("outline-style", "none")
    pick(person, "2 to 10 people")
    expect(heading(person)).to_have_text(NEEDS)

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


# Declared goals


def test_result_button_records_its_declared_goal(live_server, demo_quiz, person):
    # The demo's buttons lead to example.com; here they stay on the test server.
    demo_quiz.outcomes.update(cta_url=f"{live_server.url}/")
    take_short_path_to_lead_form(person, live_server, demo_quiz)
    person.get_by_role("textbox", name="Email").fill("goal@example.com")
    person.get_by_text(demo_quiz.consent_text).click()
    person.get_by_role("button", name="Show my plan").click()
    expect(heading(person)).to_have_text("Thank you!")

    with person.expect_request(lambda request: request.url.endswith("/goal/")):
        person.get_by_role("link", name="See the Starter plan").click()

    expect(person).to_have_url(f"{live_server.url}/")
    assert wait_for(lambda: Event.objects.filter(kind="goal").exists())
    assert Event.objects.get(kind="goal").goal.name == "viewed_pricing"


def wait_for(condition, seconds=10):
    """Poll condition, for work a page left running as it navigated away."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
