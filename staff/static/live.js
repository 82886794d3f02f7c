// The live chat's connection, on every page of the staff app once logged in.
//
// Opens /live/events (server-sent events) and keeps the navigation's count of visitors
// waiting for a person up to date. The Live chat pages (data-live-view "queue" or "chat" on
// <body>) also get the conversations and messages: this script hands them on as document
// events ("live:queue", "live:message", "live:state") to live-queue.js and live-chat.js.
// Other pages let go of the connection while they are hidden (a browser allows only a few
// per site) and take it again when shown; the Live chat pages keep it, so that a
// notification can come while the staff member works elsewhere.
//
// Every text from the server is shown with textContent, never as HTML.
(function () {
  "use strict";
  var body = document.body;
  var view = body.getAttribute("data-live-view");
  if (!view || typeof window.EventSource !== "function") {
    return;
  }
  var sender = body.getAttribute("data-live-sender") || "";
  var keepWhenHidden = view !== "count";
  var source = null;
  var ended = false;
  var knownWaiting = null;
  var knownEmergencies = [];
  var audio = null;
  var NOTIFY_KEY = "staff-live-notify";

  function setStatus(text, off) {
    var nodes = document.querySelectorAll("[data-live-status]");
    for (var i = 0; i < nodes.length; i += 1) {
      nodes[i].textContent = text;
      nodes[i].classList.toggle("live-status--off", Boolean(off));
    }
  }

  function field(root, name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  // A message as an <li>, from the page's <template id="live-message-template">.
  function renderMessage(message) {
    var template = document.getElementById("live-message-template");
    var item = template.content.firstElementChild.cloneNode(true);
    item.setAttribute("data-message-id", String(message.id));
    item.classList.add("message--" + message.kind);
    if (message.emergency) {
      item.classList.add("message--emergency");
    }
    field(item, "who").textContent = message.who;
    field(item, "time").textContent = message.time;
    field(item, "text").textContent = message.text;
    if (message.payload) {
      field(item, "text").classList.add("message__text--payload");
    }
    field(item, "understood").textContent = message.understood;
    field(item, "understood").hidden = !message.understood;
    field(item, "note").textContent = message.note;
    field(item, "note").hidden = !message.note;
    field(item, "emergency").hidden = !message.emergency;
    return item;
  }

  function showCount(data) {
    var boxes = document.querySelectorAll("[data-live-count]");
    for (var i = 0; i < boxes.length; i += 1) {
      var number = boxes[i].querySelector("[data-live-count-number]");
      if (number) {
        number.textContent = String(data.waiting);
      }
      boxes[i].hidden = false;
      boxes[i].classList.toggle("nav__count--waiting", data.waiting > 0);
    }
  }

  function notifyOn() {
    try {
      return window.localStorage.getItem(NOTIFY_KEY) === "on";
    } catch (error) {
      return false;
    }
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") {
        audio.resume();
      }
      [0, 0.25].forEach(function (start) {
        var tone = audio.createOscillator();
        var volume = audio.createGain();
        tone.frequency.value = 880;
        volume.gain.value = 0.15;
        tone.connect(volume);
        volume.connect(audio.destination);
        tone.start(audio.currentTime + start);
        tone.stop(audio.currentTime + start + 0.15);
      });
    } catch (error) {
      // No sound on this browser: the notification is enough.
    }
  }

  function notify(count, emergency) {
    if (!notifyOn()) {
      return;
    }
    beep();
    if (!("Notification" in window) || window.Notification.permission !== "granted") {
      return;
    }
    var title = emergency
      ? "Emergency: a visitor in the live chat described a serious reaction"
      : "A visitor is waiting for a person";
    var note = new window.Notification(title, {
      body: count === 1 ? "1 visitor is waiting in the live chat." : count + " visitors are waiting in the live chat.",
      tag: "staff-live-waiting"
    });
    note.onclick = function () {
      window.focus();
      window.location.assign("/live");
    };
  }

  function onQueue(data) {
    showCount(data);
    var ids = data.waiting_ids || [];
    var emergencies = data.emergency_ids || [];
    if (knownWaiting !== null) {
      var fresh = ids.filter(function (id) { return knownWaiting.indexOf(id) < 0; });
      var alarming = emergencies.filter(function (id) { return knownEmergencies.indexOf(id) < 0; });
      if (alarming.length) {
        notify(ids.length, true);
      } else if (fresh.length) {
        notify(ids.length, false);
      }
    }
    knownWaiting = ids;
    knownEmergencies = emergencies;
    document.dispatchEvent(new CustomEvent("live:queue", { detail: data }));
  }

  function parse(event) {
    try {
      return JSON.parse(event.data);
    } catch (error) {
      return null;
    }
  }

  function address() {
    var params = new URLSearchParams({ view: view });
    if (view === "chat") {
      params.set("sender", sender);
      var list = document.querySelector("[data-live-messages]");
      if (list) {
        params.set("after", list.getAttribute("data-last-id") || "0");
      }
    }
    return "/live/events?" + params.toString();
  }

  function open() {
    if (source || ended) {
      return;
    }
    source = new window.EventSource(address());
    source.addEventListener("open", function () {
      setStatus("Updates live.", false);
    });
    source.addEventListener("queue", function (event) {
      var data = parse(event);
      if (data) {
        onQueue(data);
      }
    });
    ["message", "state", "typing"].forEach(function (name) {
      source.addEventListener(name, function (event) {
        var data = parse(event);
        if (data) {
          document.dispatchEvent(new CustomEvent("live:" + name, { detail: data }));
        }
      });
    });
    source.addEventListener("session", function () {
      ended = true;
      close();
      setStatus("Your session has ended: reload the page to log in again.", true);
    });
    source.addEventListener("error", function () {
      if (source && source.readyState === window.EventSource.CLOSED) {
        // Refused (the session ended, or the app answered an error): it will not retry.
        source = null;
        ended = true;
        setStatus("Live updates stopped: reload the page (you may need to log in again).", true);
      } else {
        setStatus("The connection was lost: trying again…", true);
      }
    });
  }

  function close() {
    if (source) {
      source.close();
      source = null;
    }
  }

  // The opt-in button of the Live chat page: a notification (the browser asks once) and a
  // short sound when someone starts waiting.
  function setUpNotifyButton() {
    var box = document.querySelector("[data-live-notify-box]");
    var button = document.querySelector("[data-live-notify]");
    var state = document.querySelector("[data-live-notify-state]");
    if (!box || !button) {
      return;
    }
    box.hidden = false;
    function show() {
      var on = notifyOn();
      button.textContent = on
        ? "Stop telling me when someone is waiting"
        : "Tell me when someone is waiting (notification and sound)";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      var allowed = "Notification" in window ? window.Notification.permission : "unsupported";
      state.textContent = !on
        ? ""
        : allowed === "granted"
          ? "On: a notification and a sound while this page is open."
          : "On: a sound while this page is open (this browser does not show notifications from this app).";
    }
    button.addEventListener("click", function () {
      var on = !notifyOn();
      try {
        window.localStorage.setItem(NOTIFY_KEY, on ? "on" : "off");
      } catch (error) {
        // Storage refused: the choice lasts as long as the page.
      }
      if (on) {
        beep();
        if ("Notification" in window && window.Notification.permission === "default") {
          window.Notification.requestPermission().then(show, show);
        }
      }
      show();
    });
    show();
  }

  window.StaffLive = { renderMessage: renderMessage, field: field };
  setUpNotifyButton();
  if (!keepWhenHidden) {
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        close();
      } else {
        open();
      }
    });
  }
  if (keepWhenHidden || document.visibilityState !== "hidden") {
    open();
  }
})();
