// The Publish page while a publish runs: asks /publish/status.json every two seconds and
// moves the progress bar; when the publish has ended, reloads the page to show the result.
// Without JavaScript the page refreshes itself every few seconds instead (<noscript>).
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section || section.getAttribute("data-running") !== "yes") {
    return;
  }
  var job = section.getAttribute("data-job") || "";
  var progress = document.getElementById("job-progress");
  var stage = document.getElementById("job-stage");

  function show(status) {
    var percent = Math.max(0, Math.min(100, Math.round(status.percent || 0)));
    progress.value = percent;
    progress.textContent = percent + "%";
    stage.textContent = (status.stage || "") + " (" + percent + "%)";
  }

  function poll() {
    fetch("/publish/status.json?job=" + encodeURIComponent(job), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (reply) {
        if (!reply.ok) {
          throw new Error("status " + reply.status);
        }
        return reply.json();
      })
      .then(function (status) {
        show(status);
        if (status.running) {
          window.setTimeout(poll, 2000);
        } else {
          window.location.assign("/publish");
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
