"""JQL text to a syntax tree, with Jira's wording for syntax errors.

Only the shape is checked here; whether a field or value exists is ``compiler.py``'s
business, as it is in Jira (syntax errors come first and alone).
"""

from __future__ import annotations

from dataclasses import dataclass

from okrsync_sandbox.jql.errors import JqlError

OPERATORS = ("=", "!=", "<", ">", "<=", ">=", "~", "!~")
_VALID_OPERATORS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)
RESERVED = frozenset(
    {
        "and",
        "or",
        "not",
        "in",
        "is",
        "empty",
        "null",
        "order",
        "by",
        "was",
        "changed",
        "asc",
        "desc",
    }
)
_SPECIAL = set("()=,!<>~\"'&|")


@dataclass(frozen=True)
class Token:
    kind: str  # word | string | op | ( | ) | , | eof
    text: str
    line: int
    column: int

    def where(self) -> str:
        return f"(line {self.line}, character {self.column})"


@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool
    token: Token


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...]
    token: Token


@dataclass(frozen=True)
class Empty:
    token: Token


Operand = Value | Function | Empty | tuple[Value | Function, ...]


@dataclass(frozen=True)
class FieldRef:
    name: str
    token: Token


@dataclass(frozen=True)
class Clause:
    field: FieldRef
    operator: str  # =, !=, <, >, <=, >=, ~, !~, in, not in, is, is not, was, was not, ...
    operand: Operand


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class SortKey:
    field: FieldRef
    descending: bool | None  # None: the field's default direction


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[SortKey, ...]
    has_order_by: bool


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, line, line_start = 0, 1, 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line, line_start = line + 1, i + 1
            i += 1
            continue
        if ch.isspace():
            i += 1
            continue
        column = i - line_start + 1
        if ch in "\"'":
            end = i + 1
            chars: list[str] = []
            while end < n and text[end] != ch:
                if text[end] == "\\" and end + 1 < n:
                    end += 1
                chars.append(text[end])
                end += 1
            if end >= n:
                raise JqlError(
                    f"Error in the JQL Query: The quoted string '{''.join(chars)}' has not been "
                    f"completed. (line {line}, character {column})"
                )
            tokens.append(Token("string", "".join(chars), line, column))
            i = end + 1
            continue
        two = text[i : i + 2]
        if two in ("!=", "<=", ">=", "!~"):
            tokens.append(Token("op", two, line, column))
            i += 2
            continue
        if two in ("&&", "||"):
            tokens.append(Token("word", "and" if two == "&&" else "or", line, column))
            i += 2
            continue
        if ch in "=<>~":
            tokens.append(Token("op", ch, line, column))
            i += 1
            continue
        if ch == "!":
            tokens.append(Token("word", "not", line, column))
            i += 1
            continue
        if ch in "(),":
            tokens.append(Token(ch, ch, line, column))
            i += 1
            continue
        if ch in "&|":
            raise JqlError(
                f"Error in the JQL Query: The character '{ch}' is a reserved JQL character. You "
                f"must enclose it in a string or use the escape '\\u{ord(ch):04x}' instead. "
                f"(line {line}, character {column})"
            )
        end = i
        while end < n and not text[end].isspace() and text[end] not in _SPECIAL:
            if text[end] == "[":
                # cf[10016] is one word, as is issue.property[key]
                close = text.find("]", end)
                end = close + 1 if close > 0 else n
                continue
            end += 1
        tokens.append(Token("word", text[i:end], line, column))
        i = end
    tokens.append(Token("eof", "", line, n - line_start + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == "word" and self.tok.text.lower() in words

    def parse(self) -> Query:
        where: Node | None = None
        if not self.is_word("order") and self.tok.kind != "eof":
            where = self.parse_or()
        order: tuple[SortKey, ...] = ()
        has_order = False
        if self.is_word("order"):
            self.advance()
            if not self.is_word("by"):
                raise JqlError(
                    f"Error in the JQL Query: Expecting 'by' but got '{self.describe()}'. "
                    f"{self.tok.where()}"
                )
            self.advance()
            order = self.parse_order()
            has_order = True
        if self.tok.kind != "eof":
            if self.tok.kind == ")":
                raise JqlError(
                    f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got ')'. "
                    f"{self.tok.where()}"
                )
            raise JqlError(
                f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got "
                f"'{self.tok.text}'. {self.tok.where()}"
            )
        return Query(where, order, has_order)

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.is_word("or"):
            self.advance()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_not()]
        while self.is_word("and"):
            self.advance()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_not(self) -> Node:
        if self.is_word("not"):
            self.advance()
            return Not(self.parse_not())
        if self.tok.kind == "(":
            self.advance()
            inner = self.parse_or()
            if self.tok.kind != ")":
                if self.tok.kind == "eof":
                    raise JqlError(
                        "Error in the JQL Query: Expecting ')' before the end of the query."
                    )
                raise JqlError(
                    f"Error in the JQL Query: Expecting ')' but got '{self.tok.text}'. "
                    f"{self.tok.where()}"
                )
            self.advance()
            return inner
        return self.parse_clause()

    def parse_field(self) -> FieldRef:
        token = self.tok
        if token.kind == "string" or (token.kind == "word" and token.text.lower() not in RESERVED):
            self.advance()
            return FieldRef(token.text, token)
        if token.kind == "eof":
            raise JqlError(
                "Error in the JQL Query: Expecting a field name before the end of the query."
            )
        if token.kind == "word":
            raise JqlError(
                f"Error in the JQL Query: '{token.text}' is a reserved JQL word. You must "
                f"surround it in quotation marks to use it in a query. {token.where()}"
            )
        raise JqlError(
            f"Error in the JQL Query: Expecting a field name but got '{token.text}'. "
            f"{token.where()}"
        )

    def parse_clause(self) -> Clause:
        field = self.parse_field()
        token = self.tok
        if token.kind == "op":
            self.advance()
            return Clause(field, token.text, self.parse_operand(list_allowed=False))
        if self.is_word("in"):
            self.advance()
            return Clause(field, "in", self.parse_list())
        if self.is_word("not"):
            self.advance()
            if not self.is_word("in"):
                raise self.expect_operator()
            self.advance()
            return Clause(field, "not in", self.parse_list())
        if self.is_word("is"):
            self.advance()
            operator = "is"
            if self.is_word("not"):
                self.advance()
                operator = "is not"
            if not self.is_word("empty", "null"):
                raise JqlError(
                    f"Error in the JQL Query: Expecting 'EMPTY' or 'NULL' but got "
                    f"'{self.describe()}'. {self.tok.where()}"
                )
            return Clause(field, operator, Empty(self.advance()))
        if self.is_word("was"):
            self.advance()
            operator = "was"
            if self.is_word("not"):
                self.advance()
                operator = "was not"
            if self.is_word("in"):
                self.advance()
                return Clause(field, operator + " in", self.parse_list())
            return Clause(field, operator, self.parse_operand(list_allowed=False))
        raise self.expect_operator()

    def expect_operator(self) -> JqlError:
        if self.tok.kind == "eof":
            return JqlError(
                "Error in the JQL Query: Expecting operator before the end of the query. "
                + _VALID_OPERATORS
            )
        return JqlError(
            f"Error in the JQL Query: Expecting operator but got '{self.tok.text}'. "
            f"{_VALID_OPERATORS} {self.tok.where()}"
        )

    def describe(self) -> str:
        return self.tok.text if self.tok.kind != "eof" else "end of query"

    def parse_operand(self, *, list_allowed: bool) -> Operand:
        token = self.tok
        if token.kind == "(" and list_allowed:
            return self.parse_list()
        if self.is_word("empty", "null"):
            return Empty(self.advance())
        if token.kind == "string":
            self.advance()
            return Value(token.text, True, token)
        if token.kind == "word" and token.text.lower() not in RESERVED:
            self.advance()
            if self.tok.kind == "(":
                return self.parse_function(token)
            return Value(token.text, False, token)
        if token.kind == "eof":
            raise JqlError(
                "Error in the JQL Query: Expecting either a value, list or function before the "
                "end of the query."
            )
        raise JqlError(
            f"Error in the JQL Query: Expecting either a value, list or function but got "
            f"'{token.text}'. You must surround '{token.text}' in quotation marks to use it as a "
            f"value. {token.where()}"
        )

    def parse_function(self, name: Token) -> Function:
        self.advance()  # (
        args: list[str] = []
        while self.tok.kind != ")":
            if self.tok.kind in ("word", "string"):
                args.append(self.advance().text)
            else:
                raise JqlError(
                    f"Error in the JQL Query: Expecting a function argument or ')' but got "
                    f"'{self.describe()}'. {self.tok.where()}"
                )
            if self.tok.kind == ",":
                self.advance()
        self.advance()
        return Function(name.text, tuple(args), name)

    def parse_list(self) -> Operand:
        if self.tok.kind != "(":
            # A function (``in openSprints()``) or a lone value; the compiler rejects the latter
            # with Jira's "does not support the non-list value" message.
            return self.parse_operand(list_allowed=False)
        self.advance()
        items: list[Value | Function] = []
        while True:
            item = self.parse_operand(list_allowed=False)
            if isinstance(item, Empty | tuple):
                raise JqlError(
                    f"Error in the JQL Query: Expecting either a value or function but got "
                    f"'{item.token.text if isinstance(item, Empty) else '('}'."
                )
            items.append(item)
            if self.tok.kind == ",":
                self.advance()
                continue
            if self.tok.kind == ")":
                self.advance()
                return tuple(items)
            if self.tok.kind == "eof":
                raise JqlError("Error in the JQL Query: Expecting ')' before the end of the query.")
            raise JqlError(
                f"Error in the JQL Query: Expecting ',' or ')' but got '{self.tok.text}'. "
                f"{self.tok.where()}"
            )

    def parse_order(self) -> tuple[SortKey, ...]:
        keys: list[SortKey] = []
        while True:
            field = self.parse_field()
            descending: bool | None = None
            if self.is_word("asc", "desc"):
                descending = self.advance().text.lower() == "desc"
            keys.append(SortKey(field, descending))
            if self.tok.kind != ",":
                return tuple(keys)
            self.advance()


def parse(text: str) -> Query:
    """Parse JQL; raises ``JqlError`` with Jira's message on a syntax error."""
    return _Parser(text).parse()
