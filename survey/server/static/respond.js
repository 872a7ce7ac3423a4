// Respondent pages. Loaded in <head> so the "js" class is set before the first paint (no layout
// shift). It enhances the server-rendered form: one section per screen, live conditions, the
// server's own validation messages, a review screen, and sealing in the browser with seal.js.
// Every word shown comes from the page (data- attributes, translated on the server).
// Nothing is written to any storage; without crypto.subtle the plain form posts as before.
(function () {
  "use strict";
  var root = document.documentElement;
  var capable = !!(window.crypto && crypto.subtle && window.fetch && window.TextEncoder);
  if (capable) root.classList.add("js");
  var PNTS = "prefer_not_to_say";
  var INTEGER = /^-?[0-9]{1,9}$/;

  function leaveQuickly() {
    document.querySelectorAll("a[data-leave]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        var form = document.getElementById("questionnaire");
        if (form) form.reset();
        location.replace(link.href); // takes the survey's place in history
      });
    });
  }

  function $(sel, el) { return (el || document).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }
  function labelOf(input) { var l = $('label[for="' + input.id + '"]'); return l ? l.textContent.trim() : input.value; }
  function joinList(items) { // "a, b" in the page's language
    try { return new Intl.ListFormat(root.lang, { type: "unit" }).format(items); } catch (e) { return items.join(", "); }
  }
  function questionText(q) { return $(".question-text", q).firstChild.textContent.trim(); }

  /** One question's answer as plaintext.encode() writes it, or an error kind (data-msg-*). */
  function read(q) {
    var type = q.dataset.type, code = q.dataset.code, value, pnts;
    if (type === "single" || type === "scale" || type === "multiple") {
      var chosen = $$("input:checked", q).map(function (i) { return i.value; });
      if (type === "multiple") {
        if (chosen.indexOf(PNTS) >= 0) {
          if (chosen.length > 1) return { error: "pnts-alone" };
          value = PNTS;
        } else if (chosen.length) value = chosen;
      } else if (chosen.length) {
        value = chosen[0] === PNTS || type === "single" ? chosen[0] : parseInt(chosen[0], 10);
      }
    } else {
      var field = $("#" + code, q);
      var raw = field.value;
      pnts = $('input[name="' + code + '__pnts"]', q);
      if (type === "number") {
        if (field.validity && field.validity.badInput) return { error: "number" };
        raw = raw.trim();
        if (raw !== "") {
          if (!INTEGER.test(raw)) return { error: "number" };
          value = parseInt(raw, 10);
          if (value < Number(field.min) || value > Number(field.max)) return { error: "range" };
        }
      } else {
        if (Array.from(raw).length > Number(field.maxLength > 0 ? field.maxLength : Infinity)) return { error: "length" };
        if (raw.trim()) value = raw.trim();
      }
      if (pnts && pnts.checked) {
        if (value !== undefined) return { error: "pnts-alone" };
        value = PNTS;
      }
    }
    if (value === undefined && q.hasAttribute("data-required")) return { error: "required" };
    return { value: value };
  }

  function enhance(form, seal) {
    var sections = $$("[data-section]", form);
    var review = $("[data-review]", form);
    var back = $("[data-back]", form);
    var submit = $("[data-submit]", form);
    var progress = $("[data-progress-text]", form);
    var summary = $("[data-client-errors]", form);
    var failed = $("[data-send-failed]", form);
    var questions = $$(".question", form);
    var title = document.title;
    var current = 0; // index into steps(); the last step is the review
    var sending = false;

    function byCode(code) { return questions.filter(function (q) { return q.dataset.code === code; })[0]; }

    /** Apply every "show only if" condition, in order, as the server's validation does. */
    function applyConditions() {
      questions.forEach(function (q) {
        var ref = q.dataset.showIf && byCode(q.dataset.showIf);
        if (!ref) return;
        var any = q.dataset.showIfAny.split(" ");
        var on = !ref.hidden && $$("input:checked", ref).some(function (i) { return any.indexOf(i.value) >= 0; });
        q.hidden = !on;
        if (!on) clearError(q);
      });
    }

    function steps() {
      return sections.filter(function (s) { return $$(".question", s).some(function (q) { return !q.hidden; }); }).concat([review]);
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
      var p = document.createElement("p");
      var hidden = document.createElement("span");
      p.className = "error-message";
      p.id = code + "-error";
      hidden.className = "visually-hidden";
      hidden.textContent = form.dataset.errorPrefix;
      p.append(hidden, " " + message);
      var fieldset = $("fieldset", q);
      if (fieldset) $(".choices", q).before(p);
      else { $("#" + code, q).before(p); $("#" + code, q).setAttribute("aria-invalid", "true"); }
      var el = describedBy(q);
      el.setAttribute("aria-describedby", ((el.getAttribute("aria-describedby") || "") + " " + p.id).trim());
      q.classList.add("has-error");
      return { href: "#" + (fieldset ? "q-" + code : code), message: message };
    }

    function validate(step) {
      var errors = [];
      $$(".question", step).forEach(function (q) {
        clearError(q);
        if (q.hidden) return;
        var r = read(q);
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
      document.title = errors.length ? form.dataset.errorPrefix + " " + title : title;
      if (errors.length) summary.focus();
      return !errors.length;
    }

    function answers() {
      var out = {};
      questions.filter(function (q) { return !q.hidden; }).map(function (q) { return [q.dataset.code, read(q)]; })
        .sort(function (a, b) { return a[0] < b[0] ? -1 : 1; })
        .forEach(function (pair) { if (pair[1].value !== undefined) out[pair[0]] = pair[1].value; });
      return out;
    }

    /** The review list, built with text nodes only. */
    function fillReview() {
      var list = $("[data-review-list]", review);
      list.replaceChildren();
      steps().slice(0, -1).forEach(function (section, index) {
        $$(".question", section).forEach(function (q) {
          if (q.hidden) return;
          var text = questionText(q), r = read(q), shown;
          if (r.value === undefined) shown = form.dataset.notAnswered;
          else if (q.dataset.type === "number" || q.dataset.type === "text") {
            shown = r.value === PNTS ? labelOf($('input[name="' + q.dataset.code + '__pnts"]', q)) : String(r.value);
          } else shown = joinList($$("input:checked", q).map(labelOf));
          var row = document.createElement("div"), dt = document.createElement("dt"), dd = document.createElement("dd");
          var act = document.createElement("dd"), change = document.createElement("button"), hint = document.createElement("span");
          row.className = "review-row";
          dt.textContent = text;
          dd.textContent = shown;
          change.type = "button";
          change.className = "link-button";
          change.textContent = form.dataset.changeLabel;
          hint.className = "visually-hidden";
          hint.textContent = " " + text;
          change.append(hint);
          change.addEventListener("click", function () { show(index, q); });
          act.append(change);
          row.append(dt, dd, act);
          list.append(row);
        });
      });
    }

    function show(index, focusQuestion) {
      var all = steps();
      current = Math.max(0, Math.min(index, all.length - 1));
      sections.concat([review]).forEach(function (s) { s.hidden = s !== all[current]; });
      $$("[data-first-step]").forEach(function (el) { el.hidden = current > 0; });
      back.hidden = current === 0;
      summary.hidden = true;
      failed.hidden = true;
      document.title = title;
      progress.textContent = form.dataset.progress.replace("{step}", current + 1).replace("{total}", all.length);
      var last = all[current] === review;
      submit.textContent = last ? form.dataset.sendLabel : form.dataset.nextLabel;
      if (last) fillReview(); else $("[data-review-list]", review).replaceChildren();
      window.scrollTo(0, 0);
      var target = focusQuestion ? $("input, textarea", focusQuestion) : $("h2", all[current]);
      target.focus();
    }

    async function send() {
      if (sending) return;
      sending = true;
      submit.disabled = true;
      submit.textContent = form.dataset.sendingLabel;
      failed.hidden = true;
      try {
        var doc = {
          answers: answers(),
          f: 1,
          lang: form.dataset.locale,
          questionnaire: form.dataset.questionnaire,
          version: Number(form.dataset.version),
        };
        var envelope = await seal.sealEnvelope(form.dataset.publicKey, form.dataset.keyId, form.dataset.survey,
          new TextEncoder().encode(JSON.stringify(doc)));
        doc = null;
        var response = await fetch(form.dataset.sealedAction, {
          method: "POST", body: envelope, credentials: "omit", cache: "no-store", redirect: "error",
          referrerPolicy: "no-referrer", headers: sendHeaders(),
        });
        if (response.status !== 201) throw new Error(String(response.status));
        wipe();
        location.replace(form.dataset.thanks);
      } catch (e) {
        sending = false;
        submit.disabled = false;
        submit.textContent = form.dataset.sendLabel;
        failed.hidden = false;
        failed.focus();
      }
    }

    function sendHeaders() {
      // A one-time code (links that require one) travels as a header, never in the envelope.
      var headers = { "Content-Type": "application/octet-stream" };
      if (form.dataset.accessCode) headers["X-Access-Code"] = form.dataset.accessCode;
      return headers;
    }

    function wipe() {
      form.reset();
      $("[data-review-list]", review).replaceChildren();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var step = steps()[current];
      if (step === review) send();
      else if (validate(step)) show(current + 1);
    });
    form.addEventListener("change", applyConditions);
    back.addEventListener("click", function () { show(current - 1); });
    // Before the page is left or frozen in the back-forward cache, forget every answer.
    window.addEventListener("pagehide", wipe);
    window.addEventListener("pageshow", function (event) { if (event.persisted) { applyConditions(); show(0); } });

    root.classList.add("enhanced");
    applyConditions();
    current = 0;
    sections.concat([review]).forEach(function (s, i) { s.hidden = i !== 0; });
    back.hidden = true;
    submit.textContent = form.dataset.nextLabel;
    progress.textContent = form.dataset.progress.replace("{step}", 1).replace("{total}", steps().length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    leaveQuickly();
    var form = document.getElementById("questionnaire");
    var module = $("script[data-seal]");
    if (!form || !capable || !module || !form.dataset.publicKey) { root.classList.remove("js"); return; }
    // The same URL as the <script integrity=...> tag, so the module checked by SRI is the one used.
    import(module.src).then(function (seal) { enhance(form, seal); }, function () { root.classList.remove("js"); });
  });
})();
