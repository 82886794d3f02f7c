// The chat view of one conversation (/live/conversation): adds the messages live.js hands
// on ("live:message": the visitor's, the assistant's, a staff member's) to the list, shows
// the part of the page that fits the conversation's state ("live:state": waiting, taken by
// you, taken by someone else, back with the assistant), shows "The visitor is typing…" for
// a few seconds after the website's chat says so ("live:typing"), and sends a reply without
// leaving the page (the form still works without JavaScript). Texts are shown with
// textContent.
(function () {
  "use strict";
  var live = window.StaffLive;
  var list = document.querySelector("[data-live-messages]");
  if (!live || !list) {
    return;
  }
  var emergency = document.querySelector("[data-live-emergency]");
  var problem = document.querySelector("[data-live-problem]");
  var form = document.querySelector("[data-live-reply]");

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 240;
  }

  var typing = document.querySelector("[data-live-typing]");
  var typingTimer = null;
  // The widget says so every few seconds while the visitor types: shown until a pause.
  var TYPING_SHOWN_MS = 6000;

  function hideTyping() {
    if (typing) {
      typing.hidden = true;
    }
    if (typingTimer) {
      window.clearTimeout(typingTimer);
      typingTimer = null;
    }
  }

  document.addEventListener("live:typing", function () {
    if (!typing) {
      return;
    }
    hideTyping();
    typing.hidden = false;
    typingTimer = window.setTimeout(hideTyping, TYPING_SHOWN_MS);
  });

  document.addEventListener("live:message", function (event) {
    var message = event.detail;
    if (message.kind === "visitor") {
      hideTyping();
    }
    if (list.querySelector('[data-message-id="' + String(message.id) + '"]')) {
      return;
    }
    var follow = nearBottom();
    var item = live.renderMessage(message);
    list.appendChild(item);
    list.setAttribute("data-last-id", String(Math.max(Number(list.getAttribute("data-last-id") || "0"), message.id)));
    if (message.emergency && emergency) {
      emergency.hidden = false;
    }
    if (follow) {
      item.scrollIntoView({ block: "nearest" });
    }
  });

  document.addEventListener("live:state", function (event) {
    var state = event.detail;
    var panel = state.state === "taken" ? (state.mine ? "mine" : "other") : state.state;
    var panels = document.querySelectorAll("[data-live-panel]");
    for (var i = 0; i < panels.length; i += 1) {
      panels[i].hidden = panels[i].getAttribute("data-live-panel") !== panel;
    }
    var who = document.querySelector("[data-live-staff]");
    if (who) {
      who.textContent = state.staff || "Someone";
    }
    if (state.emergency && emergency) {
      emergency.hidden = false;
    }
  });

  function showProblem(text) {
    problem.textContent = text;
    problem.hidden = !text;
    form.querySelector("textarea").setAttribute("aria-invalid", text ? "true" : "false");
  }

  if (form && problem && window.fetch) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      var box = form.querySelector("textarea");
      button.disabled = true;
      fetch(form.getAttribute("action"), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        body: new URLSearchParams(new FormData(form))
      })
        .then(function (reply) {
          return reply.json().catch(function () {
            return { ok: false, error: "The staff app answered " + reply.status + ": nothing was sent." };
          });
        })
        .then(function (result) {
          if (result.ok) {
            box.value = "";
            showProblem("");
          } else {
            showProblem(result.error || "Nothing was sent.");
          }
        })
        .catch(function () {
          showProblem("The staff app could not be reached: nothing was sent. Your message is still in the box.");
        })
        .then(function () {
          button.disabled = false;
          box.focus();
        });
    });
  }
})();
