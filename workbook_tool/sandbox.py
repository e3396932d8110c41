"""The template sandbox's bounds: how long one draft may take, and how much a template may make.

Jinja2's ``SandboxedEnvironment`` keeps a template away from Python's internals, but
not from work: nested ``range()`` loops run for hours, and ``'x'.ljust(10**9)``,
``'%0999999999d'|format(1)`` or a string doubled with ``~`` in a loop allocate
gigabytes. A template is text a person typed into a spreadsheet (or received in
one), and ``chart sync`` renders every contact's draft, so ``BoundedEnvironment``
adds bounds that hold in any thread (no signals, no subprocess):

* **time**: a deadline per draft (``MAX_SECONDS``), checked at every step of every
  loop and every call (all a template can repeat), attribute lookup and arithmetic;
* **size**: every text, list or number a template makes, and the draft itself,
  stays under ``MAX_TEXT`` characters (``MAX_DIGITS`` digits). Where the
  arguments tell the size in advance (a width, a repetition, a join, a
  replacement, a ``%`` or ``format`` field) it is checked before anything is made;
  elsewhere the result is checked;
* **in all**: the text one draft makes along the way stays under ``MAX_MADE``, so a
  loop cannot keep making large texts and keep them in a list.

``range()`` is capped by Jinja2 itself (``jinja2.sandbox.MAX_RANGE``, 100,000 items).
A template that crosses a bound raises ``Exhausted`` (a ``SecurityError``) whose
text says what it asked for: ``drafts`` turns it into one line naming the template.
The deadline is armed by ``budget()``, one per draft; outside one (as when Jinja2
folds constants while compiling) the size bounds still hold.
"""

from __future__ import annotations

import contextvars
import re
import string
import time

from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace, generate_lorem_ipsum

# The longest text or list a template may make, and the longest draft: thirty full Excel
# cells (32,767 characters each). A real draft is a few thousand characters.
MAX_TEXT = 1_000_000
# All the text one draft may make along the way.
MAX_MADE = 20 * MAX_TEXT
# Python refuses to print an int of more digits than this (sys.get_int_max_str_digits()).
MAX_DIGITS = 4300
# A draft renders in about a tenth of a millisecond; this leaves room for a slow machine.
MAX_SECONDS = 2.0
# The exponent ** accepts (the first bound the sandbox had; kept, with its message).
MAX_EXPONENT = 100


class Exhausted(SecurityError):
    """A template asked for more time, text or digits than a draft may take."""


class Budget:
    """One draft's deadline and the text it has made so far."""

    __slots__ = ("seconds", "deadline", "made")

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.made = 0


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("chart_template_budget", default=None)


class budget:  # noqa: N801 (used as a function: with budget(): …)
    """Arm the deadline and the count of text made, for the renders inside the ``with`` block (one draft)."""

    __slots__ = ("seconds", "token")

    def __init__(self, seconds: float = MAX_SECONDS):
        self.seconds = seconds

    def __enter__(self) -> Budget:
        spent = Budget(self.seconds)
        self.token = _BUDGET.set(spent)
        return spent

    def __exit__(self, *exc) -> None:
        _BUDGET.reset(self.token)


def tick() -> None:
    """Raise ``Exhausted`` once the draft's deadline has passed."""
    spent = _BUDGET.get()
    if spent is not None and time.monotonic() > spent.deadline:
        raise Exhausted(f"takes more than {spent.seconds:g} seconds for one draft (a loop that runs too long?)")


# --------------------------------------------------------------------------- sizes


_CONTAINERS = (list, tuple, dict, set, frozenset)
_END = object()


def size(value, limit: int = MAX_TEXT) -> int:
    """About how many characters ``value`` prints as; counting stops once past ``limit``.

    Text counts its characters, a number its digits, a list (tuple, dict, set) one
    per item plus its items, counted again wherever one is shared (as printing it
    would), a list inside itself a few. Anything else counts one. A shared list is
    walked once, so that a list of two copies of a list of two copies … costs little.
    """
    total = 0
    stack: list = []  # (container, its iterator, the total when it began) of the containers being walked
    inside: set[int] = set()  # their ids: a list inside itself is not walked again
    known: dict[int, int] = {}  # the size of each container walked already (they cannot change meanwhile)
    steps = 0
    item = value
    while True:
        kind = type(item)
        if kind is str or kind is bytes or kind is bytearray:
            total += len(item)
        elif isinstance(item, _CONTAINERS):
            key = id(item)
            if key in known:
                total += known[key]
            elif key in inside:
                total += 5  # printed as [...]
            else:
                inside.add(key)
                total += 1
                stack.append((item, iter(item.items() if isinstance(item, dict) else item), total - 1))
        elif isinstance(item, (str, bytes, bytearray)):
            total += len(item)
        elif isinstance(item, int):
            total += _digits(item)
        else:
            total += 1
        if total > limit:
            return total
        steps += 1
        if steps % 65536 == 0:
            tick()
        while stack:
            following = next(stack[-1][1], _END)
            if following is not _END:
                item = following
                break
            container, _, began = stack.pop()
            inside.discard(id(container))
            known[id(container)] = total - began
        else:
            return total


def _digits(number: int) -> int:
    # bit_length costs nothing; str(number) would cost what we are guarding against.
    return number.bit_length() * 30103 // 100000 + 1


def _too_big(amount: int, what: str = "text", unit: str = "characters", exact: bool = True) -> Exhausted:
    about = "" if exact else "more than "
    return Exhausted(f"makes {what} of {about}{amount:,} {unit} (a template may make {MAX_TEXT:,})")


def _check_made(value) -> None:
    """Refuse a result that is too big, and count it against the draft's text made in all."""
    if value is None or type(value) in (bool, float):
        return
    amount = size(value)
    if amount > MAX_TEXT:
        if isinstance(value, (str, bytes, bytearray)):
            raise _too_big(amount)
        if isinstance(value, int):
            raise _too_many_digits(amount)
        raise _too_big(MAX_TEXT, "a list", "items and characters", exact=False)
    _count_made(amount)


def _count_made(amount: int) -> None:
    spent = _BUDGET.get()
    if spent is not None:
        spent.made += amount
        if spent.made > MAX_MADE:
            raise Exhausted(f"makes more than {MAX_MADE:,} characters in all for one draft (a loop that makes "
                            "too much text?)")


def _check_text(amount: int) -> None:
    if amount > MAX_TEXT:
        raise _too_big(amount)


def _too_many_digits(digits: int) -> Exhausted:
    return Exhausted(f"makes a number of about {digits:,} digits (a template may make {MAX_DIGITS:,})")


def _check_width(width) -> None:
    """A width, precision, count or repetition the caller is about to make text of."""
    if isinstance(width, int) and abs(width) > MAX_TEXT:
        raise Exhausted(f"asks for a width of {abs(width):,} characters (a template may make {MAX_TEXT:,})")


# --------------------------------------------------------------------------- what arguments will make


_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_printf(fmt, args) -> None:
    """``fmt % args`` (and the ``format`` filter): refuse a width or precision over MAX_TEXT."""
    text = fmt.decode("latin-1") if isinstance(fmt, (bytes, bytearray)) else fmt
    if "%" not in text:
        return
    star = False
    for match in _PRINTF_FIELD.finditer(text):
        for number in match.groups():
            if number == "*":
                star = True
            elif number:
                _check_width(_number(number))
    if star:  # the widths come from the arguments
        for arg in args if isinstance(args, tuple) else (args,):
            _check_width(arg)


def check_format(fmt: str, args, kwargs) -> None:
    """``fmt.format(*args, **kwargs)``: refuse a width or precision over MAX_TEXT."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # format() raises it itself
    nested = False
    for _, _, spec, _ in fields:
        if spec:
            nested = nested or "{" in spec
            for number in re.findall(r"\d+", spec):
                _check_width(_number(number))
    if nested:  # a width given as an argument: "{:>{}}".format(x, 10**9)
        for arg in (*args, *kwargs.values(), *(v for a in args if isinstance(a, dict) for v in a.values())):
            _check_width(arg)


def _number(digits: str) -> int:
    # Past 18 digits the exact width says no more (and Python reads at most 4,300).
    return int(digits) if len(digits) <= 18 else 10**18


def _arg(args, kwargs, index: int, name: str, default=None):
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _text_method(obj, name: str, args: tuple, kwargs: dict) -> tuple:
    """Check a str or bytes method that can make more than it is given; the args to call it with."""
    if name in ("ljust", "rjust", "center", "zfill"):
        _check_width(_arg(args, kwargs, 0, "width"))
    elif name == "expandtabs":
        tabsize = _arg(args, kwargs, 0, "tabsize", 8)
        if isinstance(tabsize, int):
            _check_text(len(obj) + obj.count("\t" if isinstance(obj, str) else b"\t") * tabsize)
    elif name == "replace":
        _check_replace(obj, _arg(args, kwargs, 0, "old"), _arg(args, kwargs, 1, "new"),
                       _arg(args, kwargs, 2, "count", -1))
    elif name == "join" and args:
        items = list(args[0])  # counted, then joined: an iterator can be read once
        _check_text(sum(len(i) for i in items if isinstance(i, (str, bytes))) + len(obj) * max(len(items) - 1, 0))
        args = (items, *args[1:])
    elif name in ("format", "format_map"):
        check_format(obj, args, kwargs)
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        _check_text(len(obj) * max(longest, 1))
    return args


def _check_replace(text, old, new, count) -> None:
    if not isinstance(text, (str, bytes)) or type(old) is not type(text) or type(new) is not type(text):
        return
    times = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    _check_text(len(text) + times * max(len(new) - len(old), 0))


def _container_method(obj, name: str, args: tuple, kwargs: dict) -> None:
    # A list or dict kept across a loop can grow without bound; what goes in counts as made.
    if name in ("append", "insert", "extend", "update", "setdefault"):
        if len(obj) + (len(args[-1]) if name in ("extend", "update") and args and hasattr(args[-1], "__len__")
                       else 1) > MAX_TEXT:
            raise _too_big(MAX_TEXT, "a list", "items", exact=False)
        for arg in (*args, *kwargs.values()):
            if not isinstance(arg, (range, int)):
                amount = size(arg)
                if amount > MAX_TEXT:
                    raise _too_big(MAX_TEXT, "a list", "items and characters", exact=False)
                _count_made(amount)


def _check_call(obj, args: tuple, kwargs: dict) -> tuple:
    """Check what a call is about to make, before it makes it; the args to call it with."""
    target = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    owner = getattr(target, "__self__", None)
    name = getattr(target, "__name__", "")
    if isinstance(owner, (str, bytes, bytearray)):
        return _text_method(owner, name, args, kwargs)
    if isinstance(owner, (list, dict)):
        _container_method(owner, name, args, kwargs)
    elif isinstance(owner, int) and name == "to_bytes":
        _check_width(_arg(args, kwargs, 0, "length", 1))
    elif target is generate_lorem_ipsum:
        paragraphs, most = _arg(args, kwargs, 0, "n", 5), _arg(args, kwargs, 3, "max", 100)
        if isinstance(paragraphs, int) and isinstance(most, int):
            _check_width(paragraphs * most * 12)  # about twelve characters a word
    return args


# --------------------------------------------------------------------------- filters


def _filter_center(value, width=80):
    _check_width(width)


def _filter_indent(s, width=4, first=False, blank=False):
    step = len(width) if isinstance(width, str) else width
    if isinstance(step, int):
        _check_width(step)
        _check_text(len(str(s)) + (str(s).count("\n") + 1) * step)


def _filter_format(value, *args, **kwargs):
    if isinstance(value, str):
        check_printf(value, kwargs or args)


def _filter_replace(s, old, new, count=None):
    _check_replace(s, old, new, -1 if count is None else count)


def _filter_join(value, d="", attribute=None):
    items = list(value)  # counted, then joined: an iterator can be read once
    if attribute is None:
        _check_text(sum(size(i) for i in items) + len(str(d)) * max(len(items) - 1, 0))
    return items


def _filter_wordwrap(s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True):
    if isinstance(s, str) and isinstance(width, int):
        lines = len(s) // max(width, 1) + s.count("\n") + 1
        _check_text(len(s) + lines * len(str(wrapstring or "\n")))


def _filter_batch(value, linecount, fill_with=None):
    _check_width(linecount)


def _filter_slice(value, slices, fill_with=None):
    _check_width(slices)


def _filter_urlize(value, trim_url_limit=None, nofollow=False, target=None, rel=None, extra_schemes=None):
    # Every link (one per few characters, at most) gets the target and rel attributes.
    extra = len(str(target or "")) + len(str(rel or "")) + 40
    _check_text(len(str(value)) * extra // 4)


# Checks of the Jinja2 filters whose arguments can ask for more than they are given, called
# with the filter's own arguments (less the context or environment some are passed first).
# A check may return the value to give the filter instead (join reads an iterator first).
_FILTER_CHECKS = {"center": _filter_center, "indent": _filter_indent, "format": _filter_format,
                  "replace": _filter_replace, "join": _filter_join, "wordwrap": _filter_wordwrap,
                  "batch": _filter_batch, "slice": _filter_slice, "urlize": _filter_urlize}


def bounded_filter(name: str, func):
    """``func`` (the filter ``name``), checked before it runs (where its arguments tell) and after."""
    check = _FILTER_CHECKS.get(name)
    # pass_context, pass_eval_context and pass_environment filters get that first.
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    def bounded(*args, **kwargs):
        tick()
        if check is not None and len(args) > skip:
            try:
                value = check(*args[skip:], **kwargs)
            except TypeError:
                value = None  # arguments the filter itself refuses: let it say so
            if value is not None:
                args = (*args[:skip], value, *args[skip + 1:])
        result = func(*args, **kwargs)
        if type(result) is str:  # _check_made, without its walk through containers: most filters make text
            if len(result) > MAX_TEXT:
                raise _too_big(len(result))
            _count_made(len(result))
        else:
            _check_made(result)
        return result

    # Jinja2 reads how to call a filter (with the context, the environment …) from its attributes.
    bounded.__dict__.update(getattr(func, "__dict__", {}))
    bounded.__name__ = getattr(func, "__name__", name)
    bounded.__doc__ = func.__doc__
    return bounded


# --------------------------------------------------------------------------- the environment


class BoundedCodeGenerator(CodeGenerator):
    """Compiles templates so that loops, ``~`` and literal lists pass through the environment's bounds.

    A loop whose body calls nothing (``{% for i in range(n) %}{% for j in range(n) %}``)
    and ``~`` reach no hook of the sandbox; a literal list that holds itself twice,
    redone in a loop, would double without making any text.
    """

    def visit_For(self, node: nodes.For, frame) -> None:
        """``for x in environment.guard_loop(ITER)``: every step checks the deadline."""
        node.iter = nodes.Call(nodes.EnvironmentAttribute("guard_loop"), [node.iter], [], None, None,
                               lineno=node.iter.lineno)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        """``a ~ b`` as ``environment.join_text((a, b))``, which measures before it joins."""
        self.write("environment.join_text((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def _sized(self, visit, node, frame) -> None:
        if getattr(node, "ctx", "load") != "load":  # a loop's or a set's target, not a value
            visit(node, frame)
            return
        self.write("environment.sized(")
        visit(node, frame)
        self.write(")")

    def visit_List(self, node, frame) -> None:
        """``[a, b]`` as ``environment.sized([a, b])``."""
        self._sized(super().visit_List, node, frame)

    def visit_Tuple(self, node, frame) -> None:
        """``(a, b)`` as ``environment.sized((a, b))`` (a value, not a target)."""
        self._sized(super().visit_Tuple, node, frame)

    def visit_Dict(self, node, frame) -> None:
        """``{k: v}`` as ``environment.sized({k: v})``."""
        self._sized(super().visit_Dict, node, frame)


def _guard_loop(iterable):
    if _BUDGET.get() is None:
        return iterable
    return _ticking(iterable)


def _ticking(iterable):
    for item in iterable:
        tick()
        yield item


def _join_text(parts) -> str:
    """``a ~ b``: each part as text, the whole under MAX_TEXT, counted before it is joined."""
    texts = []
    total = 0
    for part in parts:
        if not isinstance(part, str):
            if size(part) > MAX_TEXT:
                raise _too_big(MAX_TEXT, exact=False)
            part = str(part)  # a blank field raises here, which skips the contact
        total += len(part)
        texts.append(part)
    _check_text(total)
    _count_made(total)
    return "".join(texts)


def _concat(pieces) -> str:
    """Every piece of output (a draft, a macro's, a ``{% set %}`` block's) joined, under MAX_TEXT."""
    if type(pieces) is list:  # a block's buffer, complete
        total = sum(map(len, pieces))
        _check_text(total)
        _count_made(total)
        return "".join(pieces)
    texts = []
    total = 0
    for piece in pieces:  # the draft, as it renders: stop a loop that prints too much (loops check the time)
        total += len(piece)
        if total > MAX_TEXT:
            raise _too_big(MAX_TEXT, "a draft", exact=False)
        texts.append(piece)
    _count_made(total)
    return "".join(texts)


def _sized(value):
    if size(value) > MAX_TEXT:
        raise _too_big(MAX_TEXT, "a list", "items and characters", exact=False)
    return value


class _Namespace(Namespace):
    """``namespace()``, printed without its values: a thousand attributes holding one long
    text, kept by reference, would print as gigabytes."""

    def __repr__(self) -> str:
        return "<Namespace>"


class BoundedEnvironment(SandboxedEnvironment):
    """A SandboxedEnvironment with the bounds above: time, size, and the arguments that make text."""

    code_generator_class = BoundedCodeGenerator
    intercepted_binops = frozenset({"+", "*", "**", "%"})
    concat = staticmethod(_concat)
    join_text = staticmethod(_join_text)
    guard_loop = staticmethod(_guard_loop)
    sized = staticmethod(_sized)

    def __init__(self, **options):
        super().__init__(**options)
        self.filters = {name: bounded_filter(name, func) for name, func in self.filters.items()}
        self.globals["namespace"] = _Namespace

    def add_filters(self, **filters) -> None:
        """Add filters of our own, under the same bounds as Jinja2's."""
        self.filters.update({name: bounded_filter(name, func) for name, func in filters.items()})

    def call_binop(self, context, operator, left, right):
        """``+``, ``*``, ``**`` and ``%``, refused when the result would be too big."""
        tick()
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError("exponent too large for a template")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            digits = _digits(left) * right
            if digits > MAX_DIGITS and abs(left) > 1:
                raise _too_many_digits(digits)
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes)) and isinstance(times, int):
                    _check_text(len(seq) * times)
                elif isinstance(seq, (list, tuple)) and isinstance(times, int) and size(seq) * times > MAX_TEXT:
                    raise _too_big(len(seq) * times, "a list", "items") if len(seq) * times > MAX_TEXT else \
                        _too_big(MAX_TEXT, "a list", "items and characters", exact=False)
            if isinstance(left, int) and isinstance(right, int) and _digits(left) + _digits(right) > MAX_DIGITS:
                raise _too_many_digits(_digits(left) + _digits(right))
        elif operator == "+" and isinstance(left, (str, bytes, list, tuple)) and type(left) is type(right):
            _check_text(size(left) + size(right))
        elif operator == "%" and isinstance(left, (str, bytes)):
            check_printf(left, right)
        result = super().call_binop(context, operator, left, right)
        _check_made(result)
        return result

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (the sandbox's own signature)
        """Call ``__obj`` from a template, checked before (where its arguments tell) and after."""
        tick()
        if __obj is _guard_loop:
            return __obj(*args)
        args = _check_call(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        _check_made(result)
        return result

    def getattr(self, obj, attribute):
        """``obj.attribute`` from a template, under the deadline."""
        tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        """``obj[argument]`` from a template, under the deadline; a slice's copy counts as made."""
        tick()
        result = super().getitem(obj, argument)
        if isinstance(argument, slice):
            _check_made(result)
        return result


def template_line(exc: BaseException) -> int | None:
    """The line of the template where ``exc`` was raised, once Jinja2 has rewritten its traceback (None if unknown).

    Jinja2 rewrites the traceback so that template frames carry the template's line numbers under
    the file name "<template>".
    """
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
