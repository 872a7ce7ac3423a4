// The browser's evaluator of a question's condition or constraint. The server parses the
// expression (survey/core/expression.py) and sends its tree as JSON; this file never parses
// expression text. Same values as Python's evaluate(): XPath 1.0 as ODK uses it (an answer is a
// string, "" when missing; = and != compare booleans, then numbers, then strings; < <= > >=
// compare numbers; a string that is not a plain decimal number is NaN). The shared table
// tests/data/expression_cases.json runs here and in Python.
(function () {
  "use strict";
  var NUMBER = /^[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*$/;

  /** An answer as XPath sees it (see survey.core.expression.answer_string). */
  function answerString(a) {
    if (a === undefined || a === null) return "";
    if (Array.isArray(a)) return a.join(" ");
    return String(a);
  }
  function toNumber(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    var m = NUMBER.exec(v);
    return m ? parseFloat(m[1]) : NaN;
  }
  function toBoolean(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return !(v === 0 || v !== v);
    return v !== "";
  }
  function codes(v) { return typeof v === "string" ? v.split(" ").filter(function (c) { return c; }) : []; }
  function numberString(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    return String(v);
  }
  function compare(op, a, b) {
    if (op === "=" || op === "!=") {
      var x, y;
      if (typeof a === "boolean" || typeof b === "boolean") { x = toBoolean(a); y = toBoolean(b); }
      else if (typeof a === "number" || typeof b === "number") { x = toNumber(a); y = toNumber(b); }
      else { x = a; y = b; }
      return op === "=" ? x === y : x !== y;
    }
    var p = toNumber(a), q = toNumber(b);
    if (op === "<") return p < q;
    if (op === "<=") return p <= q;
    if (op === ">") return p > q;
    if (op === ">=") return p >= q;
    throw new Error("unknown comparison");
  }

  /** The value of `node` over `answers` (code -> answer); `current` is the code "." stands for. */
  function evaluate(node, answers, current) {
    var i;
    switch (node[0]) {
      case "lit": return node[1];
      case "ref": return answerString(Object.prototype.hasOwnProperty.call(answers, node[1]) ? answers[node[1]] : undefined);
      case "cur": return current && Object.prototype.hasOwnProperty.call(answers, current) ? answerString(answers[current]) : "";
      case "cmp": return compare(node[1], evaluate(node[2], answers, current), evaluate(node[3], answers, current));
      case "and":
        for (i = 1; i < node.length; i++) if (!toBoolean(evaluate(node[i], answers, current))) return false;
        return true;
      case "or":
        for (i = 1; i < node.length; i++) if (toBoolean(evaluate(node[i], answers, current))) return true;
        return false;
      case "not": return !toBoolean(evaluate(node[1], answers, current));
      case "sel": return codes(evaluate(node[1], answers, current)).indexOf(node[2]) >= 0;
      case "count": return codes(evaluate(node[1], answers, current)).length;
      case "len": {
        var v = evaluate(node[1], answers, current);
        return Array.from(typeof v === "string" ? v : numberString(v)).length;
      }
    }
    throw new Error("unknown expression node");
  }

  function holds(node, answers, current) { return toBoolean(evaluate(node, answers, current)); }

  window.surveyExpression = {
    evaluate: evaluate,
    holds: holds,
    /** Whether `value`, the answer to question `code`, meets its constraint (`json`, the
     *  question's data-rule-constraint) with `earlier` the answers before it; no answer and
     *  prefer-not-to-say (`pnts`) always do (survey.core.questionnaire.meets_constraint). */
    meets: function (json, code, value, earlier, pnts) {
      if (value === undefined || value === pnts) return true;
      var answers = Object.assign({}, earlier);
      answers[code] = value;
      return holds(JSON.parse(json), answers, code);
    },
  };
})();
