// Respondent pages, deferred (respond-early.js has set the "js" class before the first paint, so
// there is no layout shift). It enhances the server-rendered form: one step per screen, each step an entry in the
// browser's history (Back and Forward move between steps); a language switch in place; live
// conditions; the server's own rules (data-rule-*) and words (data-msg-*); sealing in the browser
// with seal.js, and a send that retries the same envelope until the server has stored it. seal.js
// is not needed for the first step, so it is fetched (pinned by its SRI hash) once the respondent
// starts answering, not with the page.
// Answers live in the page only: nothing is written to any storage, and history entries carry a
// step number, never an answer. "Leave quickly" (or Shift pressed 3 times) takes the survey's place
// in history. Without crypto.subtle the plain form posts as it does without JavaScript.
(function () {
  "use strict";
  var root = document.documentElement;
  var capable = root.classList.contains("js"); // what respond-early.js found
  window.respondLoaded = true;
  var RETRY_SECONDS = [2, 4, 8, 15, 30];
  var RETRYABLE = [408, 425, 429, 500, 502, 503, 504];
  var SEND_TIMEOUT = 30000;
  var current = null; // the enhanced questionnaire on this page
  var sealing = null, sealTries = 0; // the promise of seal.js, once asked for
  var leaving = null; // where to go once history is back at this page's first entry

  function $(sel, el) { return (el || document).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }
  function depth() { var s = history.state; return s && typeof s.depth === "number" ? s.depth : 0; }

  /** Leave for `url` in place of the survey: back to this page's first history entry (the steps'
   *  entries are this page's), then replace that entry. */
  function goAway(url, hide) {
    if (current) current.wipe();
    if (hide) document.body.hidden = true;
    var steps = depth();
    if (steps > 0) {
      leaving = url;
      history.go(-steps);
      setTimeout(function () { if (leaving) replaceBy(); }, 500);
    } else location.replace(url);
  }
  function replaceBy() { var url = leaving; leaving = null; location.replace(url); }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-leave]");
    if (!link || event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    goAway(link.href, true);
  });
  var shifts = []; // Shift pressed 3 times in 2 seconds, nothing else between: leave
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") { shifts = []; return; }
    if (event.repeat) return;
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 2000; }).concat([now]);
    var link = $("a[data-leave]");
    if (shifts.length >= 3 && link) goAway(link.href, true);
  });
  window.addEventListener("popstate", function (event) {
    if (leaving) replaceBy();
    else if (current) current.moved(event.state);
  });
  // Before the page is left or frozen in the back-forward cache, forget every answer.
  window.addEventListener("pagehide", function () { if (current) current.wipe(); });
  window.addEventListener("pageshow", function (event) { if (event.persisted && current) current.restart(); });

  /** The answer to one question by the rules of survey.core.questionnaire.read_entry, whose
   *  parameters the server writes into data-rule-* (here `c` for those of the whole form): either
   *  {value} (undefined: not answered) or {error: kind}, the kind naming a data-msg-* message. */
  /** A multiple choice in the definition's order (data-rule-options), as the server keeps it: the
   *  page may show the options in another (sort_options), and "${q} = 'a b'" must not depend on it. */
  function ordered(q, value) {
    if (!Array.isArray(value)) return value;
    var order = q.dataset.ruleOptions.split(" ");
    return value.slice().sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
  }

  function read(q, c, earlier) {
    var rule = q.dataset, type = rule.ruleType, value, chosen;
    if (rule.ruleOptions !== undefined) {
      chosen = $$("input:checked", q).map(function (i) { return i.value; });
      var allowed = rule.ruleOptions.split(" ").concat(rule.rulePnts ? [c.pnts] : []);
      if (chosen.some(function (v, i) { return allowed.indexOf(v) < 0 || chosen.indexOf(v) !== i; })) return { error: "choice" };
      if (chosen.indexOf(c.pnts) >= 0) {
        if (chosen.length > 1) return { error: "pnts_alone" };
        value = c.pnts;
      } else if (type === "multiple") {
        if (chosen.length) value = chosen;
      } else if (chosen.length > 1) return { error: "choice" };
      else if (chosen.length) value = type === "scale" ? parseInt(chosen[0], 10) : chosen[0];
    } else {
      var typed = $("#" + q.dataset.code, q).value.replace(c.space, "");
      var box = $('input[name="' + q.dataset.code + '__pnts"]', q);
      if (typed && type === "number") {
        if (!c.integer.test(typed)) return { error: "number" };
        value = parseInt(typed, 10);
        if (value < Number(rule.ruleMin) || value > Number(rule.ruleMax)) return { error: "range" };
      } else if (typed) {
        if (Array.from(typed).length > Number(rule.ruleMaxLength)) return { error: "length" };
        if (typed === c.pnts) return { error: "reserved" };
        value = typed;
      }
      if (box && box.checked && rule.rulePnts) {
        if (value !== undefined) return { error: "pnts_alone" };
        value = c.pnts;
      }
    }
    if (value === undefined && q.hasAttribute("data-required")) return { error: "required" };
    if (rule.ruleConstraint && !window.surveyExpression.meets(rule.ruleConstraint, q.dataset.code, ordered(q, value), earlier, c.pnts)) return { error: "constraint" };
    return { value: value };
  }

  /** seal.js, fetched once: a module script tag carries its integrity (SRI), and import() of the same
   *  URL then returns that checked module. A failed fetch is asked again, under a new URL, next time. */
  function loadSeal(form) {
    if (sealing) return sealing;
    sealing = new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.type = "module";
      tag.integrity = form.dataset.sealIntegrity;
      tag.src = form.dataset.sealSrc + (sealTries ? "&try=" + sealTries : "");
      tag.onload = function () { import(tag.src).then(resolve, reject); };
      tag.onerror = reject;
      document.head.append(tag);
    }).catch(function (error) { sealing = null; sealTries += 1; throw error; });
    return sealing;
  }

  function labelOf(input) { var l = $('label[for="' + input.id + '"]'); return l ? l.textContent.trim() : input.value; }
  function questionText(q) { return $(".question-text", q).firstChild.textContent.trim(); }
  function joinList(items) { // "a, b" in the page's language
    try { return new Intl.ListFormat(root.lang, { type: "unit" }).format(items); } catch (e) { return items.join(", "); }
  }

  /** What was entered, to be put back after a language switch: kept in this call only. */
  function entered(form) {
    return $$("input, textarea", form).filter(function (el) { return el.type !== "hidden"; }).map(function (el) {
      return { name: el.name, check: el.type === "radio" || el.type === "checkbox", value: el.value, on: el.checked };
    });
  }
  function putBack(form, saved) {
    var fields = $$("input, textarea", form);
    saved.forEach(function (s) {
      fields.forEach(function (el) {
        if (el.name !== s.name) return;
        if (s.check && el.value === s.value) el.checked = s.on;
        else if (!s.check) el.value = s.value;
      });
    });
  }

  function enhance(form, startAt) {
    var d = form.dataset;
    var c = {
      pnts: d.rulePntsCode,
      integer: new RegExp("^(?:" + d.ruleInteger + ")$"),
      space: new RegExp("^[" + d.ruleSpace + "]+|[" + d.ruleSpace + "]+$", "g"),
    };
    var sections = $$("[data-section]", form);
    var questions = $$(".question", form);
    var review = $("[data-review]", form);
    var reviewDetails = $("[data-review-details]", form);
    var reviewList = $("[data-review-list]", form);
    var back = $("[data-back]", form);
    var submit = $("[data-submit]", form);
    var progress = $("[data-progress-text]", form);
    var summary = $("[data-client-errors]", form);
    var failed = $("[data-send-failed]", form);
    var retrying = $("[data-send-retrying]", form);
    var switchFailed = $("[data-switch-failed]", form);
    var title = document.title;
    var last = 0; // the review's step number: one after the last question's
    questions.forEach(function (q) { last = Math.max(last, Number(q.dataset.step) + 1); });
    var step = 1, envelope = null, sending = false, retryTimer = null, attempts = 0;
    var pending = null; // the envelope being sealed for the answers as they are (from the last step on)

    function stepOf(q) { return Number(q.dataset.step); }
    function inStep(n) { return questions.filter(function (q) { return stepOf(q) === n; }); }

    /** Apply every condition (data-rule-relevant, evaluated by expression.js), in order, on the
     *  answers to the questions shown before, as the server's validation does; keep those answers
     *  for each question's constraint. */
    var before = new Map();
    function readq(q) { return read(q, c, before.get(q) || {}); }
    function applyConditions() {
      var kept = {};
      questions.forEach(function (q) {
        before.set(q, Object.assign({}, kept));
        q.hidden = !!q.dataset.ruleRelevant && !window.surveyExpression.holds(JSON.parse(q.dataset.ruleRelevant), kept);
        if (q.hidden) { clearError(q); return; }
        var r = readq(q);
        if (r.value !== undefined) kept[q.dataset.code] = ordered(q, r.value);
      });
    }

    /** The step numbers with something to show, in order; the review last. */
    function stepList() {
      var list = [];
      questions.forEach(function (q) { if (!q.hidden && list.indexOf(stepOf(q)) < 0) list.push(stepOf(q)); });
      return list.concat([last]);
    }

    function describedBy(q) { return $("fieldset", q) || $("#" + q.dataset.code, q); }

    function clearError(q) {
      q.classList.remove("has-error");
      $$(".error-message", q).forEach(function (p) { p.remove(); });
      var el = describedBy(q);
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && !/-error$/.test(id); });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
      $$("[aria-invalid]", q).forEach(function (i) { i.removeAttribute("aria-invalid"); });
    }

    function showError(q, kind) {
      var code = q.dataset.code, message = q.getAttribute("data-msg-" + kind);
      var p = document.createElement("p"), hidden = document.createElement("span");
      p.className = "error-message";
      p.id = code + "-error";
      hidden.className = "visually-hidden";
      hidden.textContent = d.errorPrefix;
      p.append(hidden, " " + message);
      var fieldset = $("fieldset", q);
      if (fieldset) $(".choices", q).before(p);
      else { $("#" + code, q).before(p); $("#" + code, q).setAttribute("aria-invalid", "true"); }
      var el = describedBy(q);
      el.setAttribute("aria-describedby", ((el.getAttribute("aria-describedby") || "") + " " + p.id).trim());
      q.classList.add("has-error");
      return { href: "#" + (fieldset ? "q-" + code : code), message: message };
    }

    function invalid(n) { return inStep(n).some(function (q) { return !q.hidden && readq(q).error; }); }

    function validate(n) {
      var errors = [];
      inStep(n).forEach(function (q) {
        clearError(q);
        if (q.hidden) return;
        var r = readq(q);
        if (r.error) errors.push(showError(q, r.error));
      });
      var list = $("ul", summary);
      list.replaceChildren();
      errors.forEach(function (e) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = e.href;
        a.textContent = e.message;
        li.append(a);
        list.append(li);
      });
      summary.hidden = !errors.length;
      document.title = errors.length ? d.errorPrefix + " " + title : title;
      if (errors.length) summary.focus();
      return !errors.length;
    }

    function answers() {
      var out = {};
      questions.filter(function (q) { return !q.hidden; }).map(function (q) { return [q.dataset.code, readq(q)]; })
        .sort(function (a, b) { return a[0] < b[0] ? -1 : 1; })
        .forEach(function (pair) { if (pair[1].value !== undefined) out[pair[0]] = pair[1].value; });
      return out;
    }

    /** The answers to check, built with text nodes only, and only while "Check your answers" is open. */
    function fillReview() {
      reviewList.replaceChildren();
      questions.forEach(function (q) {
        if (q.hidden) return;
        var text = questionText(q), r = readq(q), shown;
        if (r.value === undefined) shown = d.notAnswered;
        else if (q.dataset.ruleOptions === undefined) {
          shown = r.value === c.pnts ? labelOf($('input[name="' + q.dataset.code + '__pnts"]', q)) : String(r.value);
        } else shown = joinList($$("input:checked", q).map(labelOf));
        var row = document.createElement("div"), dt = document.createElement("dt"), dd = document.createElement("dd");
        var act = document.createElement("dd"), change = document.createElement("button"), hint = document.createElement("span");
        row.className = "review-row";
        dt.textContent = text;
        dd.textContent = shown;
        change.type = "button";
        change.className = "link-button";
        change.textContent = d.changeLabel;
        hint.className = "visually-hidden";
        hint.textContent = " " + text;
        change.append(hint);
        change.addEventListener("click", function () { show(stepOf(q), "push", q); });
        act.append(change);
        row.append(dt, dd, act);
        reviewList.append(row);
      });
    }

    /** Show step `n` (the nearest one with something to show); `how` adds ("push") or rewrites
     *  ("replace") this page's history entry, or leaves it ("none", after Back or Forward). */
    function show(n, how, focusQuestion, quiet) {
      var list = stepList();
      if (list.indexOf(n) < 0) n = list.filter(function (s) { return s > n; })[0] || last;
      step = n;
      sections.forEach(function (s) {
        var own = $$(".question", s);
        s.hidden = !own.some(function (q) { return stepOf(q) === n; });
        var intro = $("[data-section-intro]", s);
        if (intro) intro.hidden = stepOf(own[0]) !== n;
      });
      questions.forEach(function (q) { q.classList.toggle("off-step", stepOf(q) !== n); });
      review.hidden = n !== last;
      $$("[data-first-step]").forEach(function (el) { el.hidden = n !== list[0]; });
      back.hidden = n === list[0];
      summary.hidden = failed.hidden = switchFailed.hidden = true;
      document.title = title;
      progress.textContent = d.progress.replace("{step}", list.indexOf(n) + 1).replace("{total}", list.length);
      if (!sending) submit.textContent = n === last ? d.sendLabel : d.nextLabel;
      reviewDetails.open = false;
      reviewList.replaceChildren();
      if (n === last) sealed().catch(function () {}); // ready before "Send" (a failure shows then)
      if (how === "push") history.pushState({ step: n, depth: depth() + 1 }, "");
      else if (how === "replace") history.replaceState({ step: n, depth: depth() }, "");
      if (quiet) return;
      window.scrollTo(0, 0);
      var target = focusQuestion ? $("input, textarea", focusQuestion) : $("h2", n === last ? review : $$("[data-section]:not([hidden])", form)[0]);
      if (target) target.focus();
    }

    function next() { var list = stepList(); return list[list.indexOf(step) + 1] || last; }

    /** The envelope of the answers as they are now, sealed once: begun when the last step is shown,
     *  so that "Send" only has to post it. Kept in memory only, and forgotten when an answer changes. */
    function sealed() {
      if (envelope) return Promise.resolve(envelope);
      if (!pending) {
        var doc = { answers: answers(), f: 1, lang: d.locale, questionnaire: d.questionnaire, version: Number(d.version) };
        var mine = pending = loadSeal(form).then(function (seal) {
          return seal.sealEnvelope(d.publicKey, d.keyId, d.survey, new TextEncoder().encode(JSON.stringify(doc)));
        }).then(function (bytes) {
          if (pending === mine) { envelope = bytes; pending = null; }
          return bytes;
        }, function (error) {
          if (pending === mine) pending = null;
          throw error;
        });
      }
      return pending;
    }

    async function send() {
      if (sending) return;
      var bad = stepList().filter(invalid)[0];
      if (bad !== undefined) { show(bad, "push"); validate(bad); return; }
      sending = true;
      submit.disabled = true;
      submit.textContent = d.sendingLabel;
      failed.hidden = true;
      var bytes;
      try {
        bytes = await sealed();
      } catch (e) {
        stop(failed);
        return;
      }
      if (!sending) return; // an answer changed meanwhile: nothing was sent
      envelope = bytes;
      post();
    }

    /** One try at sending the sealed envelope; the same bytes every time, so the server, which
     *  stores an envelope once, keeps one response however many tries reach it. */
    function post() {
      clearTimeout(retryTimer);
      retryTimer = null;
      var abort = window.AbortController ? new AbortController() : null;
      var timer = abort && setTimeout(function () { abort.abort(); }, SEND_TIMEOUT);
      var headers = { "Content-Type": "application/octet-stream" };
      // A one-time code (links that require one) travels as a header, never in the envelope.
      if (d.accessCode) headers["X-Access-Code"] = d.accessCode;
      fetch(d.sealedAction, {
        method: "POST", body: envelope, credentials: "omit", cache: "no-store", redirect: "error",
        referrerPolicy: "no-referrer", headers: headers, signal: abort ? abort.signal : undefined,
      }).then(function (response) {
        clearTimeout(timer);
        // Stored: on to the thank-you page, even if the page was left to change an answer since
        // (a second send would store a second response).
        if (response.status === 201) { sending = false; envelope = null; goAway(d.thanks, false); }
        else if (!sending) return;
        else if (RETRYABLE.indexOf(response.status) >= 0) later();
        else stop(failed);
      }, function () {
        clearTimeout(timer);
        if (sending) later();
      });
    }

    function later() {
      var wait = RETRY_SECONDS[Math.min(attempts, RETRY_SECONDS.length - 1)];
      $("[data-retry-countdown]", retrying).textContent = d.retryIn.replace("{seconds}", wait);
      if (retrying.hidden) { retrying.hidden = false; retrying.focus(); }
      attempts += 1;
      retryTimer = setTimeout(post, wait * 1000);
    }

    function stop(box) {
      clearTimeout(retryTimer);
      sending = false;
      attempts = 0;
      retrying.hidden = true;
      submit.disabled = false;
      submit.textContent = step === last ? d.sendLabel : d.nextLabel;
      if (box) { box.hidden = false; box.focus(); }
    }

    function switchLanguage(link) {
      var lang = link.getAttribute("hreflang");
      var request = d.accessCode
        ? fetch(d.codeAction + "?lang=" + encodeURIComponent(lang), {
          method: "POST", body: new URLSearchParams({ access_code: d.accessCode }), credentials: "omit",
          cache: "no-store", referrerPolicy: "no-referrer" })
        : fetch(link.href, { credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
      request.then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      }).then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var next = page.getElementById("questionnaire");
        if (!next) throw new Error("no questionnaire");
        putBack(next, entered(form));
        var at = step, address = new URL(location.href);
        address.searchParams.set("lang", lang);
        current = null;
        root.lang = page.documentElement.lang;
        root.dir = page.documentElement.dir;
        document.title = page.title;
        document.body.replaceWith(document.adoptNode(page.body));
        history.replaceState(history.state, "", address.href);
        current = enhance(document.getElementById("questionnaire"), at);
      }).catch(function () {
        switchFailed.hidden = false;
        switchFailed.focus();
      });
    }

    function wipe() {
      stop(null);
      envelope = pending = null;
      form.reset();
      reviewList.replaceChildren();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      applyConditions();
      if (step === last) send();
      else if (validate(step)) show(next(), "push");
    });
    function changed() { // answers changed: stop retrying the old envelope; a new one is sealed
      if (sending) stop(null);
      envelope = pending = null;
    }
    form.addEventListener("change", function () { applyConditions(); changed(); loadSeal(form).catch(function () {}); });
    form.addEventListener("input", changed);
    back.addEventListener("click", function () { if (depth() > 0) history.back(); else show(stepList()[0], "replace"); });
    reviewDetails.addEventListener("toggle", function () { if (reviewDetails.open) fillReview(); else reviewList.replaceChildren(); });
    $("[data-retry-now]", retrying).addEventListener("click", function () { if (sending) post(); });
    window.addEventListener("online", function () { if (sending && retryTimer !== null) post(); });
    $$("nav.languages a[hreflang]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        if (sending) return;
        link.closest("details").open = false;
        switchLanguage(link);
      });
    });

    root.classList.add("enhanced");
    applyConditions();
    show(startAt || stepList()[0], "replace", null, !startAt);
    return {
      wipe: wipe,
      restart: function () { applyConditions(); show(stepList()[0], "replace"); },
      moved: function (state) {
        if (sending) stop(null);
        show(state && state.step ? state.step : stepList()[0], "none");
      },
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("questionnaire");
    if (!form || !capable || !form.dataset.sealSrc || !form.dataset.publicKey) { root.classList.remove("js"); return; }
    if (history.state && history.state.depth) history.replaceState({ step: 0, depth: 0 }, "");
    current = enhance(form, 0);
  });
})();
