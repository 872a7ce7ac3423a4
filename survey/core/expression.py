"""Conditions and constraints: the XLSForm expressions a survey needs, parsed once into a safe tree.

A question's ``relevant`` ("show this question only if ...") and ``constraint`` ("an answer must
...") are written as in XLSForm: ``${code}`` for an earlier question's answer, ``.`` for the
answer being checked (constraints only), ``= != < <= > >=``, ``and``, ``or``, ``not(...)``,
``selected(${q}, 'code')``, ``count-selected(${q})``, ``string-length(.)``, string literals in
single or double quotes, numbers (``12``, ``-3``, ``0.5``) and parentheses.

:func:`parse` turns the text into a tree of frozen dataclasses (no ``eval``; the only names are
answer codes) and refuses anything else with an :class:`ExpressionError` naming the character
where it went wrong; the text, the nesting and the number of nodes are bounded, so a hostile
definition cannot exhaust memory or the stack. :func:`evaluate` is the one evaluator in Python
(the server and the analyst, through survey.core.questionnaire); :func:`to_json` is the form the
browser gets, whose evaluator ``survey/server/static/expression.js`` gives the same results
(tests/data/expression_cases.json runs in both).

Values follow XPath 1.0, as ODK does:

- An answer is a string: a missing answer is ``""``, a number or scale point its digits, a
  multiple choice its option codes joined by a space, prefer-not-to-say its code
  ``prefer_not_to_say``.
- ``=`` and ``!=``: if either side is a boolean both are compared as booleans, else if either is a
  number both as numbers, else as strings. ``<``, ``<=``, ``>``, ``>=`` always compare numbers.
  A string becomes a number only if it is one (``" 12 "``, ``-3.5``; not ``"1e3"`` or ``"+5"``),
  otherwise NaN, and every comparison with NaN is false except ``!=``. So with no answer,
  ``${age} < 18`` and ``${age} >= 18`` are both false and ``${age} != 18`` is true.
- ``and``/``or`` take booleans: a string is true if not empty, a number if neither 0 nor NaN.
  ``or`` binds less tightly than ``and``, comparisons more tightly than both; comparisons do not
  chain (``1 < 2 < 3`` is refused: write ``and``).
- ``selected(${q}, 'x')`` is true if ``x`` is one of the answer's codes (false with no answer);
  ``count-selected(${q})`` is how many codes there are (0 with no answer);
  ``string-length(.)`` counts characters (code points).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Bounds on what a definition may contain (a long "any of 14 services" condition is ~2,000
#: characters and depth 3).
MAX_LENGTH = 4000
MAX_DEPTH = 32
MAX_NODES = 600

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
FUNCTIONS = ("not", "selected", "count-selected", "string-length")
#: What XPath counts as space around a number.
_SPACE = " \t\r\n"
_NUMBER = re.compile(r"[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*")
_CODE = re.compile(r"[a-z][a-z0-9_]{0,47}")
_TOKEN = re.compile(
    r"""(?P<space>[ \t\r\n]+)
      | (?P<ref>\$\{(?P<code>[^}]{0,60})\})
      | (?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
      | (?P<dot>\.)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<punct>[(),-])
      | (?P<name>[A-Za-z_][A-Za-z0-9_.-]*)""",
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """An expression that is not one of ours. ``position`` is the 1-based character it names."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at character {position}")
        self.position = position


# -- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | float


@dataclass(frozen=True, slots=True)
class Ref:
    """``${code}``: an answer."""

    code: str


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the answer being checked by a constraint."""


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class All:
    """``a and b and ...``"""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Any_:
    """``a or b or ...``"""

    items: tuple[Node, ...]
    #: When every item is ``selected(${q}, 'x')`` (a show_if, "any of these services"): each
    #: question with its codes, so evaluating it is one look-up per question.
    selections: tuple[tuple[str, frozenset[str]], ...] | None = field(
        init=False, default=None, compare=False, hash=False, repr=False,
    )

    def __post_init__(self) -> None:
        if all(isinstance(n, Selected) and isinstance(n.answer, Ref) for n in self.items):
            grouped: dict[str, set[str]] = {}
            for n in self.items:
                assert isinstance(n, Selected) and isinstance(n.answer, Ref)  # just checked
                grouped.setdefault(n.answer.code, set()).add(n.code)
            object.__setattr__(self, "selections", tuple((q, frozenset(c)) for q, c in grouped.items()))


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Selected:
    answer: Ref | Current
    code: str


@dataclass(frozen=True, slots=True)
class CountSelected:
    answer: Ref | Current


@dataclass(frozen=True, slots=True)
class StringLength:
    operand: Node


Node = Literal | Ref | Current | Compare | All | Any_ | Not | Selected | CountSelected | StringLength
Value = str | float | bool


# -- parsing ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ref, number, dot, string, op, punct, name, end
    text: str
    position: int  # 1-based


def _tokens(source: str) -> list[_Token]:
    out: list[_Token] = []
    at = 0
    while at < len(source):
        m = _TOKEN.match(source, at)
        if m is None:
            raise ExpressionError(f"unexpected {source[at]!r}", at + 1)
        kind = m.lastgroup or ""
        if kind == "code":  # pragma: no cover - the group inside "ref"
            kind = "ref"
        if kind == "ref":
            code = m.group("code")
            if not _CODE.fullmatch(code):
                raise ExpressionError(f"${{{code}}} is not a question code", at + 1)
            out.append(_Token("ref", code, at + 1))
        elif kind == "string":
            out.append(_Token("string", m.group()[1:-1], at + 1))
        elif kind != "space":
            out.append(_Token(kind, m.group(), at + 1))
        at = m.end()
    out.append(_Token("end", "", len(source) + 1))
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.at = 0
        self.depth = 0
        self.nodes = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, text: str) -> _Token:
        token = self.take()
        if token.text != text or token.kind not in ("punct", "op"):
            raise ExpressionError(f"expected {text!r}, found {_shown(token)}", token.position)
        return token

    def node(self, made: Node, position: int) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"more than {MAX_NODES} parts", position)
        return made

    def enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"nested more than {MAX_DEPTH} deep", position)

    def expression(self) -> Node:
        start = self.peek().position
        self.enter(start)
        items = [self.conjunction()]
        while self.peek().kind == "name" and self.peek().text == "or":
            self.take()
            items.append(self.conjunction())
        self.depth -= 1
        return items[0] if len(items) == 1 else self.node(Any_(tuple(items)), start)

    def conjunction(self) -> Node:
        start = self.peek().position
        items = [self.comparison()]
        while self.peek().kind == "name" and self.peek().text == "and":
            self.take()
            items.append(self.comparison())
        return items[0] if len(items) == 1 else self.node(All(tuple(items)), start)

    def comparison(self) -> Node:
        left = self.primary()
        if self.peek().kind != "op":
            return left
        op = self.take()
        right = self.primary()
        if self.peek().kind == "op":
            raise ExpressionError("comparisons do not chain: join them with 'and'", self.peek().position)
        return self.node(Compare(op.text, left, right), op.position)

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return self.node(Literal(_finite(token.text, token.position)), token.position)
        if token.kind == "punct" and token.text == "-" and self.peek().kind == "number":
            return self.node(Literal(-_finite(self.take().text, token.position)), token.position)
        if token.kind == "string":
            return self.node(Literal(token.text), token.position)
        if token.kind == "ref":
            return self.node(Ref(token.text), token.position)
        if token.kind == "dot":
            return self.node(Current(), token.position)
        if token.kind == "punct" and token.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind == "name":
            if token.text in FUNCTIONS and self.peek().text == "(":
                return self.call(token)
            if token.text in ("and", "or"):
                raise ExpressionError(f"'{token.text}' needs something before it", token.position)
            raise ExpressionError(
                f"unknown name {token.text[:40]!r}: answers are written ${{code}}, functions are "
                + ", ".join(f"{f}()" for f in FUNCTIONS),
                token.position,
            )
        raise ExpressionError(f"expected a value, found {_shown(token)}", token.position)

    def call(self, name: _Token) -> Node:
        self.enter(name.position)
        self.expect("(")
        args: list[Node] = []
        if self.peek().text != ")":
            args.append(self.expression())
            while self.peek().kind == "punct" and self.peek().text == ",":
                self.take()
                args.append(self.expression())
        self.expect(")")
        self.depth -= 1
        wanted = {"not": 1, "selected": 2, "count-selected": 1, "string-length": 1}[name.text]
        if len(args) != wanted:
            raise ExpressionError(f"{name.text}() takes {wanted} argument{'s' if wanted > 1 else ''}", name.position)
        if name.text == "not":
            return self.node(Not(args[0]), name.position)
        if name.text == "string-length":
            return self.node(StringLength(args[0]), name.position)
        answer = args[0]
        if not isinstance(answer, Ref | Current):
            raise ExpressionError(f"{name.text}() needs an answer, ${{code}} or '.', first", name.position)
        if name.text == "count-selected":
            return self.node(CountSelected(answer), name.position)
        code = args[1]
        if not isinstance(code, Literal) or not isinstance(code.value, str):
            raise ExpressionError("selected() needs an option code in quotes second", name.position)
        return self.node(Selected(answer, code.value), name.position)


def _finite(text: str, position: int) -> float:
    if len(text) > 20:
        raise ExpressionError("a number longer than 20 characters", position)
    return float(text)


def _shown(token: _Token) -> str:
    return "the end" if token.kind == "end" else repr(token.text[:40])


def parse(source: str) -> Node:
    """The tree of one expression; raises ExpressionError naming the character that is wrong."""
    if not isinstance(source, str):
        raise ExpressionError("an expression must be text", 1)
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH + 1)
    if not source.strip():
        raise ExpressionError("empty expression", 1)
    parser = _Parser(source)
    tree = parser.expression()
    end = parser.peek()
    if end.kind == "name":
        raise ExpressionError(f"unexpected {_shown(end)}: conditions are joined by 'and' or 'or'", end.position)
    if end.kind != "end":
        raise ExpressionError(f"unexpected {_shown(end)}", end.position)
    return tree


# -- what a tree refers to ----------------------------------------------------------------------


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Compare):
        return (node.left, node.right)
    if isinstance(node, All | Any_):
        return node.items
    if isinstance(node, Not | StringLength):
        return (node.operand,)
    if isinstance(node, Selected | CountSelected):
        return (node.answer,)
    return ()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children (iteratively: no recursion limit)."""
    out: list[Node] = []
    todo = [node]
    while todo:
        n = todo.pop()
        out.append(n)
        todo.extend(reversed(children(n)))
    return out


def references(node: Node) -> list[str]:
    """The question codes the tree reads, in order of first mention."""
    seen: dict[str, None] = {}
    for n in walk(node):
        if isinstance(n, Ref):
            seen.setdefault(n.code, None)
    return list(seen)


def uses_current(node: Node) -> bool:
    return any(isinstance(n, Current) for n in walk(node))


def selections(node: Node) -> list[tuple[str | None, str]]:
    """Every ``selected()`` in the tree as (question code, None for '.'; option code)."""
    return [
        (n.answer.code if isinstance(n.answer, Ref) else None, n.code)
        for n in walk(node) if isinstance(n, Selected)
    ]


# -- evaluating ---------------------------------------------------------------------------------


def answer_string(answer: Any) -> str:
    """An answer as XPath sees it: ``""`` when missing, a choice list's codes joined by spaces."""
    if answer is None:
        return ""
    if isinstance(answer, list):
        return " ".join(str(a) for a in answer)
    if isinstance(answer, bool):  # pragma: no cover - answers are never booleans
        return "true" if answer else "false"
    return str(answer)


def to_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    m = _NUMBER.fullmatch(value)
    return float(m.group(1)) if m else math.nan


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def _compare(op: str, a: Value, b: Value) -> bool:
    x: Value
    y: Value
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            x, y = to_boolean(a), to_boolean(b)
        elif isinstance(a, float) or isinstance(b, float):
            x, y = to_number(a), to_number(b)
        else:
            x, y = a, b
        return (x == y) if op == "=" else (x != y)
    p, q = to_number(a), to_number(b)
    if op == "<":
        return p < q
    if op == "<=":
        return p <= q
    if op == ">":
        return p > q
    return p >= q


def evaluate(node: Node, answers: Mapping[str, Any], current: str | None = None) -> Value:
    """The value of a tree over ``answers`` (question code -> answer); ``current`` is the code of
    the question ``.`` stands for. Recursion is bounded by parse's MAX_DEPTH. The commonest
    nodes of a condition come first (the analyst evaluates them for every response)."""
    if isinstance(node, Any_):
        if node.selections is not None:
            for code, chosen in node.selections:
                given = answers.get(code)
                if given is None:
                    continue
                if isinstance(given, str) and " " not in given:  # one code (or none: "")
                    if given and given in chosen:
                        return True
                elif not chosen.isdisjoint(_codes(answer_string(given))):
                    return True
            return False
        for item in node.items:
            if to_boolean(evaluate(item, answers, current)):
                return True
        return False
    if isinstance(node, Selected):
        key = node.answer.code if isinstance(node.answer, Ref) else current
        given = answers.get(key) if key is not None else None
        if given is None:
            return False
        if isinstance(given, str) and " " not in given:
            return given != "" and given == node.code
        return node.code in _codes(answer_string(given))
    if isinstance(node, All):
        for item in node.items:
            if not to_boolean(evaluate(item, answers, current)):
                return False
        return True
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return answer_string(answers.get(node.code))
    if isinstance(node, Current):
        return answer_string(answers.get(current)) if current is not None else ""
    if isinstance(node, Compare):
        return _compare(node.op, evaluate(node.left, answers, current), evaluate(node.right, answers, current))
    if isinstance(node, Not):
        return not to_boolean(evaluate(node.operand, answers, current))
    if isinstance(node, CountSelected):
        return float(len(_codes(evaluate(node.answer, answers, current))))
    value = evaluate(node.operand, answers, current)
    text = value if isinstance(value, str) else _number_string(value)
    return float(len(text))


def holds(node: Node, answers: Mapping[str, Any], current: str | None = None) -> bool:
    """Whether a condition or constraint is true."""
    return to_boolean(evaluate(node, answers, current))


def _codes(value: Value) -> list[str]:
    return [c for c in str(value).split(" ") if c] if isinstance(value, str) else []


def _number_string(value: float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return str(int(value)) if value == int(value) else repr(value)


# -- the browser's form, and back to text --------------------------------------------------------


def to_json(node: Node) -> Any:
    """The tree as JSON for survey/server/static/expression.js: ``["lit", v]``, ``["ref", code]``,
    ``["cur"]``, ``["cmp", op, a, b]``, ``["and", ...]``, ``["or", ...]``, ``["not", a]``,
    ``["sel", answer, code]``, ``["count", answer]``, ``["len", a]``."""
    if isinstance(node, Literal):
        value = node.value
        if isinstance(value, float) and value == int(value) and abs(value) < 2**53:
            return ["lit", int(value)]
        return ["lit", value]
    if isinstance(node, Ref):
        return ["ref", node.code]
    if isinstance(node, Current):
        return ["cur"]
    if isinstance(node, Compare):
        return ["cmp", node.op, to_json(node.left), to_json(node.right)]
    if isinstance(node, All):
        return ["and", *(to_json(n) for n in node.items)]
    if isinstance(node, Any_):
        return ["or", *(to_json(n) for n in node.items)]
    if isinstance(node, Not):
        return ["not", to_json(node.operand)]
    if isinstance(node, Selected):
        return ["sel", to_json(node.answer), node.code]
    if isinstance(node, CountSelected):
        return ["count", to_json(node.answer)]
    return ["len", to_json(node.operand)]


def to_source(node: Node) -> str:
    """The tree as expression text that parses back to the same tree (for XLSForm export)."""
    if isinstance(node, Literal):
        if isinstance(node.value, str):
            quote = "'" if "'" not in node.value else '"'
            return f"{quote}{node.value}{quote}"
        return _number_string(node.value)
    if isinstance(node, Ref):
        return f"${{{node.code}}}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Compare):
        return f"{_operand(node.left)} {node.op} {_operand(node.right)}"
    if isinstance(node, All):  # a nested and/or keeps its parentheses, so the tree comes back the same
        return " and ".join(f"({to_source(n)})" if isinstance(n, Any_ | All) else to_source(n) for n in node.items)
    if isinstance(node, Any_):
        return " or ".join(f"({to_source(n)})" if isinstance(n, Any_) else to_source(n) for n in node.items)
    if isinstance(node, Not):
        return f"not({to_source(node.operand)})"
    if isinstance(node, Selected):
        return f"selected({to_source(node.answer)}, {to_source(Literal(node.code))})"
    if isinstance(node, CountSelected):
        return f"count-selected({to_source(node.answer)})"
    return f"string-length({to_source(node.operand)})"


def _operand(node: Node) -> str:
    text = to_source(node)
    return f"({text})" if isinstance(node, Compare | All | Any_) else text
