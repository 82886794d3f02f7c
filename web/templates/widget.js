/*
 * The clinic's chat widget, in one tag (docs/web.md):
 *
 *   <script src="https://ASSISTANT-HOST/widget.js" data-socket-url="https://RASA-HOST" defer></script>
 *
 * Loads the widget (npm's rasa-webchat, served by the same host) and the project's CSS,
 * starts it with the clinic's name, colours and logo (rendered below by web/app.py from the
 * clinic config), and adds what rasa-webchat lacks for keyboard and screen-reader users.
 */
(function () {
  "use strict";

  var CONFIG = {{ config | tojson }};

  var script = document.currentScript;
  if (!script || window.__clinicChatWidget) {
    return;
  }
  window.__clinicChatWidget = true;

  // Everything else comes from where this script came from.
  var base = new URL(".", script.src).href;
  var data = script.dataset;
  var socketUrl = data.socketUrl || CONFIG.socketUrl;
  var socketPath = data.socketPath || CONFIG.socketPath;
  var storage = data.storage === "session" || data.storage === "local" ? data.storage : CONFIG.storage;
  var labels = CONFIG.labels;
  // The link schemes an answer may use, as the staff checks allow them
  // (staff/checks/answers.py, SAFE_LINK_SCHEMES).
  var SAFE_LINK_SCHEMES = ["https:", "mailto:", "tel:"];

  // While the visitor types, the widget tells the server at most every TYPING_EVERY_MS
  // (socket.io "visitor_typing" with the session key, never what is typed): a member of
  // the team who has the conversation sees "The visitor is typing…" (channels/typing.py).
  var TYPING_EVERY_MS = 2500;
  var chatSocket = null;
  var sessionKey = null;
  var lastTyping = 0;

  var root = document.createElement("div");
  root.id = "clinic-chat";
  root.style.setProperty("--clinic-primary", CONFIG.primaryColor);
  root.style.setProperty("--clinic-accent", CONFIG.accentColor);
  document.body.appendChild(root);

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base + "static/widget.css";
  document.head.appendChild(css);

  var bundle = document.createElement("script");
  bundle.src = base + "vendor/rasa-webchat.js";
  bundle.onload = start;
  document.head.appendChild(bundle);

  function start() {
    window.WebChat.default(
      {
        socketUrl: socketUrl,
        socketPath: socketPath,
        initPayload: CONFIG.initPayload,
        title: CONFIG.title,
        subtitle: CONFIG.subtitle,
        profileAvatar: base + CONFIG.logo,
        inputTextFieldHint: labels.inputHint,
        connectingText: labels.connecting,
        // The conversation and its session id stay in the browser's storage: a reload or
        // another page of the site continues the same conversation. By default the
        // session's storage, forgotten when the browser closes (clinic.yml's
        // widget_storage, or the tag's data-storage).
        params: { storage: storage },
        showFullScreenButton: false,
        // A short "typing" pause before each answer, longer for longer answers.
        customMessageDelay: function (message) {
          return Math.min(1200, 300 + message.length * 3);
        },
        // The widget's socket and session key, for saying that the visitor is typing.
        // (Not through onSocketEvent.session_confirm: rasa-webchat's own handler of that
        // event, which shows the widget, would be replaced.)
        onSocketEvent: {
          connect: function () {
            var socket = this;
            if (chatSocket === socket) {
              return;
            }
            chatSocket = socket;
            socket.on("session_confirm", function (key) {
              sessionKey = typeof key === "string" ? key : key && key.session_id;
            });
          },
        },
      },
      root
    );
    new MutationObserver(enhance).observe(root, { childList: true, subtree: true });
    enhance();
  }

  function isOpen() {
    return root.querySelector(".rw-conversation-container") !== null;
  }

  function each(selector, apply) {
    var nodes = root.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) {
      apply(nodes[i]);
    }
  }

  function setAttribute(node, name, value) {
    if (node.getAttribute(name) !== value) {
      node.setAttribute(name, value);
    }
  }

  function isSafeLink(link) {
    return SAFE_LINK_SCHEMES.indexOf(link.protocol) >= 0;
  }

  // rasa-webchat re-renders as messages come: set the missing semantics after each change.
  function enhance() {
    // rasa-webchat renders an answer's Markdown links with any scheme. The staff checks
    // refuse all but https:, mailto: and tel:, but the page does not rely on them: a
    // javascript: or data: link (which would run in the visitor's browser on a site
    // without a strict Content-Security-Policy) becomes plain text.
    each("a[href]", function (node) {
      if (!isSafeLink(node)) {
        node.removeAttribute("href");
        node.removeAttribute("target");
      }
    });
    // New messages are read out by screen readers.
    each(".rw-messages-container", function (node) {
      setAttribute(node, "role", "log");
      setAttribute(node, "aria-live", "polite");
      setAttribute(node, "aria-relevant", "additions");
      setAttribute(node, "aria-label", labels.log);
    });
    // The quick replies are <div>s: make them buttons for the keyboard and screen readers.
    each("div.rw-reply", function (node) {
      setAttribute(node, "role", "button");
      setAttribute(node, "tabindex", "0");
    });
    each(".rw-launcher", function (node) {
      setAttribute(node, "aria-label", isOpen() ? labels.close : labels.open);
      setAttribute(node, "aria-expanded", isOpen() ? "true" : "false");
    });
    each(".rw-close-button", function (node) {
      setAttribute(node, "aria-label", labels.close);
    });
    each(".rw-new-message", function (node) {
      setAttribute(node, "aria-label", labels.input);
    });
    each(".rw-send", function (node) {
      setAttribute(node, "aria-label", labels.send);
    });
    // The logo and icons sit next to text that says the same: decorative.
    each(".rw-header img, .rw-avatar, .rw-launcher img", function (node) {
      setAttribute(node, "alt", "");
    });
  }

  function focusInput() {
    var input = root.querySelector(".rw-new-message");
    if (input) {
      input.focus();
    }
  }

  // And a click on such a link before it was made plain text does nothing.
  root.addEventListener(
    "click",
    function (event) {
      var link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (link && !isSafeLink(link)) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );

  root.addEventListener("input", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !target.matches(".rw-new-message")) {
      return;
    }
    var now = Date.now();
    if (!chatSocket || !sessionKey || !target.value || now - lastTyping < TYPING_EVERY_MS) {
      return;
    }
    lastTyping = now;
    chatSocket.emit("visitor_typing", { session_id: sessionKey });
  });

  root.addEventListener("keydown", function (event) {
    var target = event.target;
    // Enter or Space picks a quick reply, as on a <button>; then the visitor can type on.
    if (
      (event.key === "Enter" || event.key === " ") &&
      target instanceof Element &&
      target.matches("div.rw-reply")
    ) {
      event.preventDefault();
      target.click();
      focusInput();
      return;
    }
    // Escape closes the widget and gives the focus back to its launcher.
    if (event.key === "Escape" && isOpen()) {
      var close = root.querySelector(".rw-close-button") || root.querySelector(".rw-launcher");
      if (close) {
        event.preventDefault();
        close.click();
        window.requestAnimationFrame(function () {
          var launcher = root.querySelector(".rw-launcher");
          if (launcher) {
            launcher.focus();
          }
        });
      }
    }
  });
})();
