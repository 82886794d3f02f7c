// The Live chat page: redraws the lists of waiting and taken conversations whenever
// live.js hands on a "live:queue" update, and keeps each "waiting for" time current.
// Cards are cloned from <template id="live-card-template"> and filled with text only.
(function () {
  "use strict";
  var live = window.StaffLive;
  var template = document.getElementById("live-card-template");
  if (!live || !template) {
    return;
  }
  var field = live.field;
  var lists = {
    waiting: document.querySelector('[data-live-list="waiting"]'),
    taken: document.querySelector('[data-live-list="taken"]')
  };
  var shownAt = Date.now();

  function minutesText(seconds) {
    var minutes = Math.floor(seconds / 60);
    if (minutes < 1) {
      return "less than a minute";
    }
    if (minutes < 60) {
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    var rest = minutes % 60;
    return Math.floor(minutes / 60) + " h " + (rest < 10 ? "0" : "") + rest + " min";
  }

  function tick() {
    var elapsed = (Date.now() - shownAt) / 1000;
    var nodes = document.querySelectorAll('[data-field="waited"]');
    for (var i = 0; i < nodes.length; i += 1) {
      var seconds = Number(nodes[i].getAttribute("data-waited") || "0") + elapsed;
      var waiting = nodes[i].getAttribute("data-waiting") === "yes";
      nodes[i].textContent = minutesText(seconds) + (waiting ? "" : " ago");
    }
  }

  function card(conversation, wasOpen, isNew) {
    var item = template.content.firstElementChild.cloneNode(true);
    var waiting = conversation.state === "waiting";
    item.setAttribute("data-sender", conversation.sender);
    item.classList.toggle("live-card--emergency", conversation.emergency);
    item.classList.toggle("live-card--new", isNew);
    field(item, "link").setAttribute("href", conversation.href);
    field(item, "open").setAttribute("href", conversation.href);
    field(item, "sender").textContent = conversation.sender;
    field(item, "emergency").hidden = !conversation.emergency;
    field(item, "channel").textContent = conversation.channel;
    field(item, "waited-label").textContent = waiting ? "Waiting for" : "Asked for a person";
    var waited = field(item, "waited");
    waited.setAttribute("data-waited", String(conversation.waited));
    waited.setAttribute("data-waiting", waiting ? "yes" : "no");
    waited.textContent = conversation.waited_words + (waiting ? "" : " ago");
    field(item, "taken").hidden = waiting;
    field(item, "staff").textContent = conversation.staff + (conversation.mine ? " (you)" : "");
    field(item, "earlier").hidden = !conversation.emergency_earlier;
    field(item, "count").textContent = String(conversation.messages.length);
    var messages = field(item, "messages");
    conversation.messages.forEach(function (message) {
      messages.appendChild(live.renderMessage(message));
    });
    item.querySelector("details").open = wasOpen;
    field(item, "take").hidden = !waiting;
    field(item, "take-sender").value = conversation.sender;
    return item;
  }

  function redraw(data) {
    if (!data.conversations) {
      return;
    }
    var before = {};
    var open = {};
    Object.keys(lists).forEach(function (state) {
      var cards = lists[state].querySelectorAll("[data-sender]");
      for (var i = 0; i < cards.length; i += 1) {
        var sender = cards[i].getAttribute("data-sender");
        before[sender] = true;
        open[sender] = cards[i].querySelector("details").open;
      }
    });
    var groups = { waiting: [], taken: [] };
    data.conversations.forEach(function (conversation) {
      var group = groups[conversation.state];
      if (group) {
        group.push(card(conversation, Boolean(open[conversation.sender]), !before[conversation.sender]));
      }
    });
    Object.keys(lists).forEach(function (state) {
      lists[state].replaceChildren.apply(lists[state], groups[state]);
      var empty = document.querySelector('[data-live-empty="' + state + '"]');
      if (empty) {
        empty.hidden = groups[state].length > 0;
      }
    });
    document.querySelector("[data-live-waiting]").textContent = String(groups.waiting.length);
    document.querySelector("[data-live-taken]").textContent = String(groups.taken.length);
    shownAt = Date.now();
  }

  document.addEventListener("live:queue", function (event) {
    redraw(event.detail);
  });
  window.setInterval(tick, 15000);
})();
