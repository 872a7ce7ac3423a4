// The first script of every respondent page, small and run before the first paint: it says whether
// respond.js (deferred, so it does not hold up that paint) will turn the questionnaire into steps
// (class "js"), so the first paint already has that layout; it keeps the plain form from being sent
// before respond.js has taken it over; and should respond.js never run, the plain form comes back.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("scripted");
  // data-plain: a page of the plain form (the answer to its post; see respond/paging.py), which
  // the script does not take over.
  if (!root.hasAttribute("data-plain") && window.crypto && crypto.subtle && window.fetch && window.TextEncoder && window.DOMParser &&
      history.pushState && window.URL) root.classList.add("js");
  document.addEventListener("submit", function (event) {
    var waiting = root.classList.contains("js") && !root.classList.contains("enhanced");
    if (waiting && event.target.id === "questionnaire") event.preventDefault();
  }, true);
  window.addEventListener("load", function () { if (!window.respondLoaded) root.classList.remove("js"); });
})();
