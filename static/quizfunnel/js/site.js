// quizfunnel visitor pages: small enhancements over htmx. Everything here
// is optional; the quiz works as plain forms without it.
(function () {
  "use strict";

  // While settling, htmx copies style attributes from old elements to new
  // ones with the same id. Under the CSP that copy is a violation whenever
  // something (an extension, a password manager) has styled a field.
  if (window.htmx) {
    window.htmx.config.attributesToSettle = ["class", "width", "height"];
  }

  // After a step swaps in, move focus to its heading and announce progress,
  // so keyboard and screen-reader users land on the new question.
  document.addEventListener("htmx:afterSettle", function (event) {
    var step = document.getElementById("step");
    if (!step || !event.detail.elt || !event.detail.elt.isConnected) return;
    var heading = document.getElementById("step-heading");
    if (heading) heading.focus({ preventScroll: false });
    var announcer = document.getElementById("announcer");
    if (announcer) {
      var heading_text = heading ? heading.textContent.trim() : "";
      var progress = step.getAttribute("data-progress") || "";
      announcer.textContent = [progress, heading_text].filter(Boolean).join(": ");
    }
  });

  // Going back to a step the visit has moved past (the lead form, once
  // sent) shows where the visit stands now; the address should say so too.
  document.addEventListener("htmx:historyRestore", function () {
    var step = document.getElementById("step");
    var url = step && step.getAttribute("data-step-url");
    if (url && url !== window.location.pathname) {
      window.history.replaceState(window.history.state, "", url);
    }
  });

  // A pointer click on a single choice answers at once. Keyboard users move
  // between options with the arrow keys and press Next, so a key never
  // submits by surprise (keyboard clicks report event.detail 0).
  document.addEventListener("click", function (event) {
    var input = event.target.closest && event.target.closest("input[type=radio]");
    if (!input || event.detail === 0) return;
    var form = input.form;
    if (!form || !form.hasAttribute("data-autoadvance")) return;
    window.setTimeout(function () {
      if (form.isConnected && form.checkValidity()) form.requestSubmit();
    }, 120);
  });

  // If a step fails on the network or server, say so instead of doing nothing.
  document.addEventListener("htmx:responseError", showFailure);
  document.addEventListener("htmx:sendError", showFailure);
  function showFailure() {
    var step = document.getElementById("step");
    if (!step || step.querySelector(".notice--failure")) return;
    var notice = document.createElement("p");
    notice.className = "notice notice--error notice--failure";
    notice.setAttribute("role", "alert");
    notice.textContent = "Something went wrong. Please try again, or reload the page.";
    step.insertBefore(notice, step.firstChild);
  }

  // Declared goals: any element with data-qf-goal="name" records that goal
  // when it is clicked, or when a video or audio element starts playing.
  function recordGoal(element) {
    var url = element.getAttribute("data-qf-goal-url") ||
      (document.body && document.body.getAttribute("data-qf-goal-url"));
    if (!url) return;
    var body = new FormData();
    body.append("goal", element.getAttribute("data-qf-goal"));
    var headers = {};
    try {
      headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (error) { /* no token: the server refuses, nothing breaks */ }
    fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin", keepalive: true })
      .catch(function () { /* a lost goal must never break the quiz */ });
  }
  document.addEventListener("play", function (event) {
    var media = event.target;
    if (media.matches && media.matches("[data-qf-goal]") && !media.dataset.qfGoalSent) {
      media.dataset.qfGoalSent = "1";
      recordGoal(media);
    }
  }, true);
  document.addEventListener("click", function (event) {
    var element = event.target.closest && event.target.closest("[data-qf-goal]");
    if (element && !/^(VIDEO|AUDIO)$/.test(element.tagName)) recordGoal(element);
  });
})();
