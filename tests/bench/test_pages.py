from bench.pages import next_post

PAGE = """
<section id="step">
  <form method="post" action="/q/plan/7/" hx-post="/q/plan/7/">
    <input type="hidden" name="csrfmiddlewaretoken" value="abc">
    <label><input type="radio" name="answer" value="11" required> One</label>
    <label><input type="radio" name="answer" value="12" required> Two</label>
    <input type="checkbox" name="extras" value="a">
    <input type="checkbox" name="extras" value="b">
    <input type="number" name="size" min="3" max="9">
    <input type="email" name="email">
    <textarea name="notes"></textarea>
    <button type="submit" name="skip" value="1">Skip</button>
  </form>
  <form action="/elsewhere/"><input type="hidden" name="other" value="x"></form>
</section>
"""


def test_the_first_form_is_posted_with_its_first_options():
    post = next_post(PAGE)

    assert post.path == "/q/plan/7/"
    assert post.fields == [
        ("csrfmiddlewaretoken", "abc"),
        ("answer", "11"),
        ("extras", "a"),
        ("size", "3"),
        ("email", "bench@example.com"),
        ("notes", "bench"),
    ]
    assert post.body.startswith("csrfmiddlewaretoken=abc&answer=11&extras=a")


def test_a_page_without_a_form_has_no_next_post():
    assert next_post("<h1>Thank you!</h1>") is None
